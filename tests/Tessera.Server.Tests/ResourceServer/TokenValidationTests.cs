using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// A single-tenant API protected by Tessera.AspNetCore: real tokens of its tenant get in; every token that is not an
/// access token of that tenant, for that API, signed with a key of that tenant's JWKS and within its lifetime, is 401.
/// </summary>
public sealed class TokenValidationTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private ProtectedApi Api => fixture.Api;
    private TokenForge Forge => fixture.Forge;

    [Fact]
    public async Task DelegatedToken_RealFromCodeFlow_Accepted()
    {
        using var response = await Api.GetAsync("/me", fixture.UserTokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(fixture.UserTokens.Access.GetClaim("oid").Value, me.GetProperty("oid").GetString());
        Assert.Equal(fixture.Server.TenantId.ToString("D"), me.GetProperty("tid").GetString());
        Assert.False(string.IsNullOrEmpty(me.GetProperty("name").GetString()), "NameClaimType is 'name'.");
    }

    [Fact]
    public async Task AppToken_RealFromClientCredentials_Accepted()
    {
        using var response = await Api.GetAsync("/me", fixture.AppToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task NoToken_Challenged()
    {
        using var response = await Api.GetAsync("/me", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("open", await (await Api.GetAsync("/open", null)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnsignedToken_AlgNone_Refused()
    {
        var token = TokenForge.WithoutSignature(Forge.AppClaims(fixture.ApiId));

        await AssertRefusedAsync(token, "TSR2805");
    }

    [Fact]
    public async Task Hs256_KeyedWithThePublishedPublicKey_Refused()
    {
        using var http = fixture.Server.CreateHttpClient();
        var jwksText = await http.GetStringAsync($"{fixture.Server.TenantBase}/discovery/v2.0/keys");
        var published = JsonDocument.Parse(jwksText).RootElement.GetProperty("keys")[0];
        var kid = published.GetProperty("kid").GetString()!;
        var claims = Forge.AppClaims(fixture.ApiId);

        // The key as the JWKS publishes it, and its raw public coordinates: the secrets of a key-confusion attack.
        byte[][] secrets =
        [
            TokenForge.Utf8(published.GetRawText()),
            TokenForge.Utf8(jwksText),
            [.. Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(published.GetProperty("x").GetString()!),
             .. Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(published.GetProperty("y").GetString()!)],
        ];
        foreach (var secret in secrets)
        {
            await AssertRefusedAsync(TokenForge.Hmac(claims, secret, kid), "TSR2805");
        }
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task KeyUrlHeader_PointingAtAttackerKeys_RefusedAndNeverFetched(string header)
    {
        Api.Services.GetRequiredServiceOf<ProtectedApi.AttackerKeys>().Json = TokenForge.AttackerJwks();
        var token = TokenForge.SignedByAttacker(Forge.AppClaims(fixture.ApiId), new Dictionary<string, object> { [header] = Api.Address + ProtectedApi.AttackerKeysPath });

        await AssertRefusedAsync(token, "TSR2802");
        Assert.Equal(0, Api.AttackerKeyRequests);
    }

    [Fact]
    public async Task EmbeddedJwkHeader_AttackerKey_Refused()
    {
        var token = TokenForge.SignedByAttacker(Forge.AppClaims(fixture.ApiId), new Dictionary<string, object> { ["jwk"] = TokenForge.AttackerJwk() });

        await AssertRefusedAsync(token, "TSR2802");
    }

    [Fact]
    public async Task EmbeddedX5cHeader_AttackerCertificate_Refused()
    {
        var token = TokenForge.SignedByAttacker(Forge.AppClaims(fixture.ApiId), new Dictionary<string, object> { ["x5c"] = new[] { TokenForge.AttackerCertificate() } });

        await AssertRefusedAsync(token, "TSR2802");
    }

    [Fact]
    public async Task AttackerKey_WithTheServersKeyId_Refused()
    {
        using var http = fixture.Server.CreateHttpClient();
        var kid = JsonDocument.Parse(await http.GetStringAsync($"{fixture.Server.TenantBase}/discovery/v2.0/keys"))
            .RootElement.GetProperty("keys")[0].GetProperty("kid").GetString();
        var token = TokenForge.SignedByAttacker(Forge.AppClaims(fixture.ApiId), keyId: kid);

        await AssertRefusedAsync(token, "IDX10511");
    }

    [Fact]
    public async Task IdToken_PresentedAsAccessToken_Refused()
    {
        // An API whose audience is the web client itself, so that the ID token's issuer, audience, key and lifetime
        // all pass: only its type ('JWT', not 'at+jwt') tells it apart.
        await using var api = await fixture.StartApiAsync(o =>
        {
            o.Audience = fixture.WebClient.ClientId;
            o.ClientId = fixture.WebClient.ClientId;
        });
        var idToken = fixture.UserTokens.IdToken!;
        Assert.Equal(fixture.WebClient.ClientId, new JsonWebToken(idToken).Audiences.Single());

        using var response = await api.GetAsync("/me", idToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(api.Logs.Contains("TSR2804"), api.Logs.Dump());
    }

    [Fact]
    public async Task ServerSignedToken_TypeJwt_Refused()
    {
        await AssertRefusedAsync(Forge.SignedByServer(Forge.AppClaims(fixture.ApiId), type: "JWT"), "TSR2804");
    }

    [Fact]
    public async Task RealToken_ForAnotherApi_Refused()
    {
        using var http = fixture.Server.CreateHttpClient();
        var admin = await Infrastructure.TokenClient.PostAsync(http, fixture.Server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", fixture.Server.Bootstrap.ClientId), ("client_secret", fixture.Server.Bootstrap.ClientSecret), ("scope", fixture.Server.Bootstrap.AdminScope));
        admin.AssertSuccess();

        await AssertRefusedAsync(admin.AccessToken, "IDX10214");
    }

    [Fact]
    public async Task ServerSignedToken_WrongAudience_Refused()
    {
        await AssertRefusedAsync(Forge.SignedByServer(Forge.AppClaims(Guid.NewGuid())), "IDX10214");
    }

    [Fact]
    public async Task ServerSignedToken_AudienceAsIdentifierUri_Accepted()
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims["aud"] = fixture.Identifier;

        using var response = await Api.GetAsync("/me", Forge.SignedByServer(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OtherTenantsToken_SingleTenantApi_Refused()
    {
        var other = await fixture.Server.Directory.CreateTenantAsync($"rs-{Guid.NewGuid():N}"[..15] + ".example");

        await AssertRefusedAsync(Forge.SignedByServer(Forge.AppClaims(fixture.ApiId, other.TenantId)), "TSR2806");
    }

    [Fact]
    public async Task IssuerOfAnotherTenant_WithThisTenantsTid_Refused()
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims["iss"] = Forge.IssuerOf(Guid.NewGuid());

        await AssertRefusedAsync(Forge.SignedByServer(claims), "TSR2807");
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/{0}/v2.0")]
    [InlineData("{1}/{0}/v2.0/")]
    [InlineData("{1}/{0}")]
    public async Task IssuerNotExactly_Refused(string issuerFormat)
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims["iss"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, issuerFormat, fixture.Server.TenantId, fixture.Server.Origin);

        await AssertRefusedAsync(Forge.SignedByServer(claims), "TSR2807");
    }

    [Fact]
    public async Task ServerSignedToken_Expired_Refused()
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims["nbf"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds();

        await AssertRefusedAsync(Forge.SignedByServer(claims), "TSR2810");
    }

    [Fact]
    public async Task ServerSignedToken_NoExpiry_Refused()
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims.Remove("exp");

        await AssertRefusedAsync(Forge.SignedByServer(claims), "TSR2809");
    }

    [Fact]
    public async Task ServerSignedToken_NotBeforeInTheFuture_Refused()
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims["nbf"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        await AssertRefusedAsync(Forge.SignedByServer(claims), "TSR2811");
    }

    [Fact]
    public async Task ServerSignedToken_NotBeforeWithinSkew_Accepted()
    {
        var claims = Forge.AppClaims(fixture.ApiId);
        claims["nbf"] = DateTimeOffset.UtcNow.AddSeconds(10).ToUnixTimeSeconds();

        using var response = await Api.GetAsync("/me", Forge.SignedByServer(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ServerSignedToken_CritHeader_Refused()
    {
        var ring = fixture.Server.App.Web.Services.GetRequiredServiceOf<Tessera.Server.Keys.SigningKeyRing>();
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Claims = Forge.AppClaims(fixture.ApiId),
            SigningCredentials = ring.Active,
            TokenType = "at+jwt",
            AdditionalHeaderClaims = new Dictionary<string, object> { ["crit"] = new[] { "exp" } },
        });

        await AssertRefusedAsync(token, "TSR2803");
    }

    [Fact]
    public async Task ValidToken_InQueryString_Refused()
    {
        using var http = Api.Client();
        using var response = await http.GetAsync("/me?access_token=" + Uri.EscapeDataString(fixture.AppToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ValidToken_InFormBody_Refused()
    {
        using var http = Api.Client();
        using var content = new FormUrlEncodedContent([new("access_token", fixture.AppToken)]);
        using var response = await http.PostAsync("/me", content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Garbage_Refused()
    {
        await AssertRefusedAsync("not-a-token", "TSR2801");
    }

    private async Task AssertRefusedAsync(string token, string reason)
    {
        var before = Api.Logs.Entries.Count;
        using var response = await Api.GetAsync("/me", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Empty(await response.Content.ReadAsStringAsync());
        var logged = Api.Logs.Entries.Skip(before).Select(e => e.Message).ToList();
        Assert.True(logged.Exists(m => m.Contains(reason, StringComparison.Ordinal)), $"Expected {reason} in the API's log:{Environment.NewLine}{string.Join(Environment.NewLine, logged)}");
    }
}

internal static class ServiceProviderExtensions
{
    public static T GetRequiredServiceOf<T>(this IServiceProvider services) where T : notnull
        => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<T>(services);
}
