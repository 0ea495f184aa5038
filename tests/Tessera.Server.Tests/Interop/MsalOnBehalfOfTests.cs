using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Applications;
using Tessera.Directory.Users;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// MSAL.NET (Microsoft.Identity.Client 4.92), unchanged, as a middle-tier web API calling a downstream API for its user
/// with <c>AcquireTokenOnBehalfOf</c>, against Tessera on HTTPS. A web app signs the user in (code flow) and gets a token
/// for the middle tier; the middle tier hands that token to MSAL as the <see cref="UserAssertion"/>.
/// MSAL sends <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>, <c>requested_token_use=on_behalf_of</c>,
/// the token in <c>assertion</c>, and the scopes plus <c>openid profile offline_access</c>.
/// </summary>
public sealed class MsalOnBehalfOfTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    public enum AuthorityStyle
    {
        /// <summary><c>WithOidcAuthority("{origin}/{tenantId}/v2.0")</c>: endpoints from the discovery document.</summary>
        Oidc,

        /// <summary><c>WithAuthority("{origin}/{tenantId}/", validateAuthority: false)</c> + <c>WithInstanceDiscovery(false)</c>.</summary>
        EntraShaped,
    }

    public enum Credential
    {
        Secret,
        Certificate,
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc, Credential.Secret)]
    [InlineData(AuthorityStyle.EntraShaped, Credential.Secret)]
    [InlineData(AuthorityStyle.Oidc, Credential.Certificate)]
    [InlineData(AuthorityStyle.EntraShaped, Credential.Certificate)]
    public async Task AcquireTokenOnBehalfOf_UserTokenOfTheMiddleTier_DownstreamTokenForTheUserThenFromCache(AuthorityStyle style, Credential credential)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = NewHttp();
        using var certificate = NewCertificate();
        var builder = Builder(chain.MiddleTier, style, http);
        if (credential == Credential.Certificate)
        {
            await server.Directory.AddCertificateAsync(chain.MiddleTier.AppId, certificate);
        }

        var app = (credential == Credential.Secret ? builder.WithClientSecret(chain.MiddleTierSecret) : builder.WithCertificate(certificate)).Build();
        string[] scopes = [$"{chain.Downstream}/.default"];

        var result = await app.AcquireTokenOnBehalfOf(scopes, new UserAssertion(chain.UserToken)).ExecuteAsync();
        var cached = await app.AcquireTokenOnBehalfOf(scopes, new UserAssertion(chain.UserToken)).ExecuteAsync();

        var before = new JsonWebToken(chain.UserToken);
        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal(TokenSource.IdentityProvider, result.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(chain.DownstreamApi.AppId.ToString("D"), Assert.Single(token.Audiences));
        Assert.Equal(chain.MiddleTier.AppId.ToString("D"), token.GetClaim("azp").Value);
        Assert.Equal(credential == Credential.Secret ? "1" : "2", token.GetClaim("azpacr").Value);
        Assert.Equal(before.GetClaim("oid").Value, token.GetClaim("oid").Value);
        Assert.Equal(before.GetClaim("auth_time").Value, token.GetClaim("auth_time").Value);
        Assert.Equal("Orders.Read", token.GetClaim("scp").Value);
        Assert.Equal(TokenSource.Cache, cached.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(result.AccessToken, cached.AccessToken);

        var body = Assert.Single(http.Handler.FormBodies);
        Assert.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", body, StringComparison.Ordinal);
        Assert.Contains("requested_token_use=on_behalf_of", body, StringComparison.Ordinal);
        Assert.Contains("assertion=" + chain.UserToken, body, StringComparison.Ordinal);
        Assert.Empty(http.Handler.Refused);
    }

    [Fact]
    public async Task AcquireTokenOnBehalfOf_ExplicitScopes_NarrowedToWhatTheMiddleTierHolds()
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = NewHttp();
        var app = Builder(chain.MiddleTier, AuthorityStyle.Oidc, http).WithClientSecret(chain.MiddleTierSecret).Build();

        var result = await app.AcquireTokenOnBehalfOf([$"{chain.Downstream}/Orders.Read"], new UserAssertion(chain.UserToken)).ExecuteAsync();

        Assert.Equal("Orders.Read", new JsonWebToken(result.AccessToken).GetClaim("scp").Value);
        Assert.Contains($"{chain.Downstream}/Orders.Read", result.Scopes);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task AcquireTokenOnBehalfOf_NothingGranted_MsalUiRequiredExceptionClassifiedConsentRequired(AuthorityStyle style)
    {
        var chain = await ArrangeAsync(granted: null);
        using var http = NewHttp();
        var app = Builder(chain.MiddleTier, style, http).WithClientSecret(chain.MiddleTierSecret).Build();

        var failure = await Assert.ThrowsAsync<MsalUiRequiredException>(
            () => app.AcquireTokenOnBehalfOf([$"{chain.Downstream}/.default"], new UserAssertion(chain.UserToken)).ExecuteAsync());

        Assert.Equal("invalid_grant", failure.ErrorCode);
        Assert.Equal(UiRequiredExceptionClassification.ConsentRequired, failure.Classification);
        Assert.Contains("TSR2063", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenOnBehalfOf_TokenIssuedToAnotherApp_MsalServiceExceptionWithTheReason()
    {
        // The web app tries to use the user's token for the middle tier itself: it is the token's azp, not its aud.
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await server.Directory.GrantConsentAsync(chain.Web.Application.AppId, chain.DownstreamApi.AppId, "Orders.Read");
        using var http = NewHttp();
        var app = Builder(chain.Web.Application, AuthorityStyle.Oidc, http).WithClientSecret(chain.Web.Secret!).Build();

        var failure = await Assert.ThrowsAnyAsync<MsalServiceException>(
            () => app.AcquireTokenOnBehalfOf([$"{chain.Downstream}/.default"], new UserAssertion(chain.UserToken)).ExecuteAsync());

        Assert.Equal("invalid_grant", failure.ErrorCode);
        Assert.Contains("TSR2060", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task LongRunningProcess_OfflineAccessGranted_MsalRefreshesWithTheRefreshToken(AuthorityStyle style)
    {
        // A web API that keeps working for the user after the call (MSAL's long-running OBO): MSAL keeps the refresh
        // token from the on-behalf-of response, and redeems it, with its usual scopes, when the access token is stale.
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await server.Directory.GrantConsentAsync(chain.MiddleTier.AppId, await server.Directory.AdminApiAppIdAsync(), "openid profile offline_access");
        using var http = NewHttp();
        var app = Builder(chain.MiddleTier, style, http).WithClientSecret(chain.MiddleTierSecret).Build();
        string[] scopes = [$"{chain.Downstream}/.default"];
        string? sessionKey = null;

        var longRunning = (ILongRunningWebApi)app;
        var first = await longRunning.InitiateLongRunningProcessInWebApi(scopes, chain.UserToken, ref sessionKey).ExecuteAsync();
        var later = await longRunning.AcquireTokenInLongRunningProcess(scopes, sessionKey).WithForceRefresh(true).ExecuteAsync();

        Assert.Equal(TokenSource.IdentityProvider, later.AuthenticationResultMetadata.TokenSource);
        Assert.NotEqual(first.AccessToken, later.AccessToken);
        Assert.Equal(chain.User.Id.ToString("D"), new JsonWebToken(later.AccessToken).GetClaim("oid").Value);
        Assert.Equal("Orders.Read", new JsonWebToken(later.AccessToken).GetClaim("scp").Value);
        Assert.Contains("grant_type=refresh_token", http.Handler.FormBodies.Last(), StringComparison.Ordinal);
        Assert.Empty(http.Handler.Refused);
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private ConfidentialClientApplicationBuilder Builder(Application client, AuthorityStyle style, MsalHttpClients http)
    {
        var builder = ConfidentialClientApplicationBuilder.Create(client.AppId.ToString("D")).WithHttpClientFactory(http);
        return style switch
        {
            AuthorityStyle.Oidc => builder.WithOidcAuthority(server.Authority),
            AuthorityStyle.EntraShaped => builder.WithAuthority($"{server.TenantBase}/", validateAuthority: false).WithInstanceDiscovery(false),
            _ => throw new ArgumentOutOfRangeException(nameof(style)),
        };
    }

    private MsalHttpClients NewHttp() => new(new LoopbackOnlyHandler(server));

    private static X509Certificate2 NewCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=middle tier", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private Task<DelegationChain> ArrangeAsync(string? granted) => DelegationChain.ArrangeAsync(server, granted);
}
