using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Keys;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// Makes tokens the server would not: some signed with the server's own active key (to show that a check other than
/// the signature refuses them: audience, tenant, issuer, lifetime, type), others as an attacker would, with a key of
/// their own, no signature, or an HMAC over the server's public key.
/// </summary>
public sealed class TokenForge(TesseraServerFixture server)
{
    private static readonly ECDsa AttackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static ECDsaSecurityKey AttackerSecurityKey { get; } = new(AttackerKey) { KeyId = "attacker-key" };

    public string IssuerOf(Guid tenantId) => $"{server.Origin}/{tenantId:D}/v2.0";

    /// <summary>Claims like those of a Tessera app-only access token of <paramref name="tenantId"/> for <paramref name="audience"/>.</summary>
    public Dictionary<string, object> AppClaims(Guid audience, Guid? tenantId = null, params string[] roles)
    {
        var tenant = tenantId ?? server.TenantId;
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = IssuerOf(tenant),
            ["aud"] = audience.ToString("D"),
            ["tid"] = tenant.ToString("D"),
            ["oid"] = Guid.NewGuid().ToString("D"),
            ["sub"] = Guid.NewGuid().ToString("D"),
            ["azp"] = Guid.NewGuid().ToString("D"),
            ["idtyp"] = "app",
            ["ver"] = "2.0",
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(60).ToUnixTimeSeconds(),
        };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return claims;
    }

    /// <summary>Claims like those of a delegated access token with <paramref name="scopes"/> (space-separated).</summary>
    public Dictionary<string, object> UserClaims(Guid audience, string scopes, Guid? tenantId = null)
    {
        var claims = AppClaims(audience, tenantId);
        claims["idtyp"] = "user";
        claims["scp"] = scopes;
        claims["name"] = "Forged User";
        return claims;
    }

    /// <summary>Signed with the server's active key, as the server signs, with the header <paramref name="type"/>.</summary>
    public string SignedByServer(IDictionary<string, object> claims, string type = "at+jwt")
    {
        var ring = server.App.Web.Services.GetRequiredService<SigningKeyRing>();
        return Create(claims, ring.Active, type);
    }

    /// <summary>Signed with the attacker's key, with extra header parameters (<c>jku</c>, <c>jwk</c>...).</summary>
    public static string SignedByAttacker(IDictionary<string, object> claims, IDictionary<string, object>? header = null, string? keyId = null, string type = "at+jwt")
    {
        var key = keyId is null ? AttackerSecurityKey : new ECDsaSecurityKey(AttackerKey) { KeyId = keyId };
        return Create(claims, new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256), type, header);
    }

    /// <summary>No signature at all: <c>alg: none</c>.</summary>
    public static string WithoutSignature(IDictionary<string, object> claims, string type = "at+jwt")
    {
        var token = Create(claims, null, type);
        Assert.Equal("none", new JsonWebToken(token).Alg);
        return token;
    }

    /// <summary>HS256 with <paramref name="secret"/> (the server's public key as published) as the HMAC key.</summary>
    public static string Hmac(IDictionary<string, object> claims, byte[] secret, string keyId)
        => Create(claims, new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = keyId }, SecurityAlgorithms.HmacSha256), "at+jwt");

    /// <summary>The attacker's public key as a JWK, for an embedded <c>jwk</c> header or a JWKS.</summary>
    public static Dictionary<string, object> AttackerJwk()
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(AttackerSecurityKey);
        return new Dictionary<string, object> { ["kty"] = jwk.Kty, ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y, ["kid"] = jwk.Kid };
    }

    /// <summary>A self-signed certificate of the attacker's key, base64 DER, for an <c>x5c</c> header.</summary>
    public static string AttackerCertificate()
    {
        var request = new CertificateRequest("CN=Tessera", AttackerKey, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Convert.ToBase64String(certificate.RawData);
    }

    public static string AttackerJwks() => System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { AttackerJwk() } });

    private static string Create(IDictionary<string, object> claims, SigningCredentials? credentials, string type, IDictionary<string, object>? header = null)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>(claims),
            SigningCredentials = credentials,
            TokenType = type,
            AdditionalHeaderClaims = header is null ? null : new Dictionary<string, object>(header),
        });
    }

    public static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);
}
