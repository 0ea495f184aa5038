using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Validates a token the way a strict resource server would: keys from the tenant's JWKS, exact issuer and audience.</summary>
public static class TokenValidation
{
    public static async Task<TokenValidationResult> ValidateAsync(TesseraServerFixture server, string token, string audience, string? issuer = null)
    {
        using var http = server.CreateHttpClient();
        var jwks = new JsonWebKeySet(await http.GetStringAsync($"{server.TenantBase}/discovery/v2.0/keys"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer ?? server.Authority,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = ["at+jwt"],
            ClockSkew = TimeSpan.FromSeconds(30),
        });
    }
}
