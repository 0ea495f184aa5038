using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Applications;
using Tessera.Server.Tests.ConditionalAccess;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Mfa;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// MSAL.NET (Microsoft.Identity.Client 4.92), unchanged, as a confidential client against Tessera on HTTPS: client
/// credentials with a secret and with a certificate, the authorization code flow with PKCE, refresh, claims challenges
/// and client capabilities. Each test runs with both ways of pointing MSAL at a host that is not Microsoft's:
/// <c>WithOidcAuthority(issuer)</c>, and the Entra-shaped <c>WithAuthority("{origin}/{tenantId}/", validateAuthority: false)</c>
/// with instance discovery off.
/// </summary>
public sealed class MsalConfidentialClientTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    public enum AuthorityStyle
    {
        /// <summary><c>WithOidcAuthority("{origin}/{tenantId}/v2.0")</c>: endpoints from the discovery document.</summary>
        Oidc,

        /// <summary><c>WithAuthority("{origin}/{tenantId}/", validateAuthority: false)</c> + <c>WithInstanceDiscovery(false)</c>.</summary>
        EntraShaped,
    }

    private const string ClientCapabilitiesClaims = """{"access_token":{"xms_cc":{"values":["cp1"]}}}""";

    // --- client credentials -------------------------------------------------------------------------------------

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task ClientCredentials_FederatedCredential_ExternalTokenAsAssertion(AuthorityStyle style)
    {
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        await using var ci = await TestIssuer.StartAsync();
        await server.Directory.AddFederatedCredentialAsync(daemon.AppId, ci.Issuer, TestIssuer.CiSubject);
        using var http = NewHttp();
        var app = Builder(daemon, style, http)
            .WithClientAssertion((AssertionRequestOptions _) => Task.FromResult(ci.Issue("api://AzureADTokenExchange")))
            .Build();

        var result = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal(daemon.AppId.ToString("D"), token.GetClaim("azp").Value);
        Assert.Equal("2", token.GetClaim("azpacr").Value);
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(token.Audiences));
        Assert.DoesNotContain("client_secret", Assert.Single(http.Handler.FormBodies), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task ClientCredentials_Secret_IssuedThenServedFromCache(AuthorityStyle style)
    {
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = NewHttp();
        var app = Builder(daemon, style, http).WithClientSecret(secret).Build();

        var first = await app.AcquireTokenForClient([scope]).ExecuteAsync();
        var second = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        Assert.Equal(TokenSource.IdentityProvider, first.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(TokenSource.Cache, second.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(first.AccessToken, second.AccessToken);
        var token = new JsonWebToken(first.AccessToken);
        Assert.Equal(server.Authority, token.Issuer);
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(token.Audiences));
        Assert.Equal("1", token.GetClaim("azpacr").Value);
        Assert.Contains("Orders.Read.All", token.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.Single(http.Handler.FormBodies);
        Assert.Empty(http.Handler.Refused);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task ClientCredentials_Certificate_PrivateKeyJwtAccepted(AuthorityStyle style)
    {
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        using var certificate = NewCertificate();
        await server.Directory.AddCertificateAsync(daemon.AppId, certificate);
        using var http = NewHttp();
        var app = Builder(daemon, style, http).WithCertificate(certificate).Build();

        var result = await app.AcquireTokenForClient([scope]).ExecuteAsync();
        var cached = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        Assert.Equal("2", new JsonWebToken(result.AccessToken).GetClaim("azpacr").Value);
        Assert.Equal(TokenSource.Cache, cached.AuthenticationResultMetadata.TokenSource);
        var body = Assert.Single(http.Handler.FormBodies);
        Assert.Contains("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer", body, StringComparison.Ordinal);
        Assert.DoesNotContain("client_secret", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EntraShapedAuthority_InstanceDiscoveryLeftOn_AsksMicrosoftFirst()
    {
        // Without WithInstanceDiscovery(false), MSAL asks login.microsoftonline.com about any Entra-shaped authority it
        // does not know (validateAuthority: false only makes it carry on when that fails). The handler refuses the call.
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = NewHttp();
        var app = ConfidentialClientApplicationBuilder.Create(daemon.AppId.ToString("D"))
            .WithAuthority($"{server.TenantBase}/", validateAuthority: false)
            .WithHttpClientFactory(http)
            .WithClientSecret(secret)
            .Build();

        var result = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        Assert.Equal(server.Authority, new JsonWebToken(result.AccessToken).Issuer);
        Assert.Contains(http.Handler.Refused, url => url.Host == "login.microsoftonline.com");
    }

    [Fact]
    public async Task ClientCredentials_ClaimsChallenge_BypassesCacheAndIsAccepted()
    {
        // An API's claims challenge (CAE: "token issued before the revocation event") is handed back with WithClaims;
        // MSAL skips its cache and sends the claims to the token endpoint. Tessera accepts the request and issues a new
        // token; it does not act on claims it does not know (nbf here), which leaves the API to decide on the new token.
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = NewHttp();
        var app = Builder(daemon, AuthorityStyle.Oidc, http).WithClientSecret(secret).Build();
        var first = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        var challenge = """{"access_token":{"nbf":{"essential":true,"value":"NBF"}}}""".Replace("NBF", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var second = await app.AcquireTokenForClient([scope]).WithClaims(challenge).ExecuteAsync();

        Assert.Equal(TokenSource.IdentityProvider, second.AuthenticationResultMetadata.TokenSource);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Contains("claims=", http.Handler.FormBodies.Last(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task ClientCredentials_ClientCapabilityCp1_EchoedAsXmsCc(AuthorityStyle style)
    {
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = NewHttp();
        var app = Builder(daemon, style, http).WithClientSecret(secret).WithClientCapabilities(["cp1"]).Build();

        var result = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        Assert.Contains("claims=" + Uri.EscapeDataString(ClientCapabilitiesClaims), Assert.Single(http.Handler.FormBodies), StringComparison.Ordinal);
        Assert.Equal(["cp1"], XmsCc(result.AccessToken));
    }

    [Fact]
    public async Task ClientCredentials_NoClientCapabilities_NoXmsCc()
    {
        var (api, scope) = await ApiAsync();
        var daemon = await DaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = NewHttp();
        var app = Builder(daemon, AuthorityStyle.Oidc, http).WithClientSecret(secret).Build();

        var result = await app.AcquireTokenForClient([scope]).ExecuteAsync();

        Assert.False(new JsonWebToken(result.AccessToken).TryGetPayloadValue<object>("xms_cc", out _));
    }

    // --- authorization code, refresh --------------------------------------------------------------------------------

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task AuthorizationCode_WithPkce_UserTokenThenSilentFromCache(AuthorityStyle style)
    {
        var web = await WebAppAsync();
        using var http = NewHttp();
        var app = Builder(web.Application, style, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri).Build();

        var result = await SignInAsync(app, web);
        // A web app finds the user's account again by its home account id (kept in the user's session).
        var account = await app.GetAccountAsync(result.Account.HomeAccountId.Identifier);
        var silent = await app.AcquireTokenSilent([web.Scope], account).ExecuteAsync();

        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal(web.User.Id.ToString("D"), token.GetClaim("oid").Value);
        Assert.Equal("Orders.Read", token.GetClaim("scp").Value);
        Assert.Equal(web.Api.AppId.ToString("D"), Assert.Single(token.Audiences));
        Assert.Equal(web.User.UserName, result.Account.Username);
        Assert.NotNull(result.IdToken);
        Assert.Equal(TokenSource.Cache, silent.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(result.AccessToken, silent.AccessToken);
        Assert.Empty(http.Handler.Refused);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task Refresh_AccessTokenStale_SilentUsesTheRotatedRefreshTokenEachTime(AuthorityStyle style)
    {
        var web = await WebAppAsync();
        using var http = NewHttp();
        var app = Builder(web.Application, style, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri).Build();
        var cache = new StaleableCache(app.UserTokenCache);
        var signedIn = await SignInAsync(app, web);
        var account = await app.GetAccountAsync(signedIn.Account.HomeAccountId.Identifier);

        // Twice: Tessera rotates the refresh token on every use and revokes the family on a replay, so the second
        // refresh only works if MSAL kept the rotated token.
        var tokens = new List<string> { signedIn.AccessToken };
        for (var round = 0; round < 2; round++)
        {
            cache.ExpireAccessTokens();
            var refreshed = await app.AcquireTokenSilent([web.Scope], account).ExecuteAsync();
            Assert.Equal(TokenSource.IdentityProvider, refreshed.AuthenticationResultMetadata.TokenSource);
            Assert.Equal("Orders.Read", new JsonWebToken(refreshed.AccessToken).GetClaim("scp").Value);
            tokens.Add(refreshed.AccessToken);
        }

        var forced = await app.AcquireTokenSilent([web.Scope], account).WithForceRefresh(true).ExecuteAsync();
        tokens.Add(forced.AccessToken);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        Assert.Equal(3, http.Handler.FormBodies.Count(b => b.Contains("grant_type=refresh_token", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Refresh_ByRefreshToken_RedeemsATokenFromElsewhere()
    {
        // IByRefreshToken: for apps that move to MSAL with refresh tokens they already hold.
        var web = await WebAppAsync();
        using var http = NewHttp();
        var first = Builder(web.Application, AuthorityStyle.Oidc, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri).Build();
        var cache = new StaleableCache(first.UserTokenCache);
        await SignInAsync(first, web);
        var refreshToken = cache.RefreshTokens().Single();

        var second = Builder(web.Application, AuthorityStyle.Oidc, http).WithClientSecret(web.Secret).Build();
        var result = await ((IByRefreshToken)second).AcquireTokenByRefreshToken([web.Scope], refreshToken).ExecuteAsync();

        Assert.Equal(web.User.Id.ToString("D"), new JsonWebToken(result.AccessToken).GetClaim("oid").Value);
        Assert.Equal(web.User.UserName, result.Account.Username);
    }

    [Fact]
    public async Task Refresh_ClaimsChallenge_SkipsCacheAndIsAccepted()
    {
        // An API asks for an authentication context (acrs) Tessera does not offer yet: the request is accepted, the
        // claim is not in the new token, and the API refuses it again (fails closed).
        var web = await WebAppAsync();
        using var http = NewHttp();
        var app = Builder(web.Application, AuthorityStyle.Oidc, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri).Build();
        var signedIn = await SignInAsync(app, web);
        var account = await app.GetAccountAsync(signedIn.Account.HomeAccountId.Identifier);

        var result = await app.AcquireTokenSilent([web.Scope], account)
            .WithClaims("""{"access_token":{"acrs":{"essential":true,"value":"c1"}}}""").ExecuteAsync();

        Assert.Equal(TokenSource.IdentityProvider, result.AuthenticationResultMetadata.TokenSource);
        Assert.NotEqual(signedIn.AccessToken, result.AccessToken);
        Assert.False(new JsonWebToken(result.AccessToken).TryGetPayloadValue<object>("acrs", out _));
        var refresh = http.Handler.FormBodies.Last();
        Assert.Contains("grant_type=refresh_token", refresh, StringComparison.Ordinal);
        Assert.Contains("claims=", refresh, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepUp_SilentWithClaims_UiRequiredCarriesClaims_InteractiveWithThemGetsAcrs()
    {
        // An API asked for context c2, which a Conditional Access policy guards with MFA: the silent refresh cannot
        // satisfy it (the session was a password), MSAL throws MsalClaimsChallengeException (an MsalUiRequiredException)
        // with Tessera's claims, and an
        // interactive sign-in with those claims (and the second step) gets a token with acrs c2.
        var web = await WebAppAsync();
        using var http = NewHttp();
        var app = Builder(web.Application, AuthorityStyle.Oidc, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri).Build();
        var signedIn = await SignInAsync(app, web);
        var account = await app.GetAccountAsync(signedIn.Account.HomeAccountId.Identifier);
        string key;
        using (var enrolment = new UserAgent(server))
        {
            await SecurityInfoPages.SignInAsync(enrolment, server, web.User.UserName!);
            (key, _) = await SecurityInfoPages.SetUpAuthenticatorAsync(enrolment, server);
        }

        await ConditionalAccessSetup.RequireMfaForContextAsync(server, "c2", web.User.Id);

        var refused = await Assert.ThrowsAsync<MsalClaimsChallengeException>(() => app.AcquireTokenSilent([web.Scope], account)
            .WithClaims("""{"access_token":{"acrs":{"essential":true,"value":"c2"}}}""").ExecuteAsync());

        Assert.Equal("invalid_grant", refused.ErrorCode);
        Assert.Contains("TSR2073", refused.Message, StringComparison.Ordinal);
        Assert.Contains("c2", refused.Claims, StringComparison.Ordinal);
        var url = await app.GetAuthorizationRequestUrl([web.Scope]).WithClaims(refused.Claims).WithPkce(out var verifier).ExecuteAsync();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(url.ToString(), web.User.UserName, secondFactor: () => Totp.Unused(key, SecurityInfoPages.UsedCodes(key)));
        Assert.True(outcome.Query.ContainsKey("code"), $"{outcome.Redirect} {outcome.Body}");
        var stepped = await app.AcquireTokenByAuthorizationCode([web.Scope], outcome.Query["code"]).WithPkceCodeVerifier(verifier).ExecuteAsync();
        Assert.Equal(["c2"], new JsonWebToken(stepped.AccessToken).GetPayloadValue<string[]>("acrs"));
    }

    [Fact]
    public async Task Silent_AnotherApi_AsksForInteraction()
    {
        // Entra ID's refresh tokens are multi-resource: MSAL silently gets a token for a second API with the refresh
        // token of the first. Tessera's refresh token is for the scopes granted at sign-in, so MSAL asks for
        // interaction (incremental consent), the path MSAL apps already have for consent that is not there yet.
        var web = await WebAppAsync();
        var other = "api://orders-" + Guid.NewGuid().ToString("N")[..8];
        var otherApi = await server.Directory.RegisterApiAsync(other);
        await server.Directory.GrantConsentAsync(web.Application.AppId, otherApi.AppId, "Orders.Read");
        using var http = NewHttp();
        var app = Builder(web.Application, AuthorityStyle.Oidc, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri).Build();
        var signedIn = await SignInAsync(app, web);
        var account = await app.GetAccountAsync(signedIn.Account.HomeAccountId.Identifier);

        var refused = await Assert.ThrowsAsync<MsalUiRequiredException>(() => app.AcquireTokenSilent([other + "/Orders.Read"], account).ExecuteAsync());

        Assert.Equal("invalid_grant", refused.ErrorCode);
    }

    [Theory]
    [InlineData(AuthorityStyle.Oidc)]
    [InlineData(AuthorityStyle.EntraShaped)]
    public async Task AuthorizationCode_ClientCapabilityCp1_EchoedOnRedemptionAndRefresh(AuthorityStyle style)
    {
        var web = await WebAppAsync();
        using var http = NewHttp();
        var app = Builder(web.Application, style, http).WithClientSecret(web.Secret).WithRedirectUri(web.RedirectUri)
            .WithClientCapabilities(["cp1"]).Build();

        var signedIn = await SignInAsync(app, web);
        var account = await app.GetAccountAsync(signedIn.Account.HomeAccountId.Identifier);
        var refreshed = await app.AcquireTokenSilent([web.Scope], account).WithForceRefresh(true).ExecuteAsync();

        Assert.Equal(["cp1"], XmsCc(signedIn.AccessToken));
        Assert.Equal(["cp1"], XmsCc(refreshed.AccessToken));
        Assert.All(http.Handler.FormBodies, body => Assert.Contains("claims=", body, StringComparison.Ordinal));
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

    private async Task<(Application Api, string Scope)> ApiAsync()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        return (api, identifier + "/.default");
    }

    private Task<Application> DaemonAsync(Application api) => server.Directory.NewDaemonAsync(api);

    private static X509Certificate2 NewCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=msal daemon", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private sealed record WebApp(Application Application, string Secret, string RedirectUri, Application Api, string Scope, Tessera.Directory.Users.DirectoryUser User);

    /// <summary>A web app registered with a secret, an API it may call for every user (admin consent), and a user.</summary>
    private async Task<WebApp> WebAppAsync()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var identifier = "api://orders-" + Guid.NewGuid().ToString("N")[..8];
        var api = await server.Directory.RegisterApiAsync(identifier);
        await server.Directory.GrantConsentAsync(client.Application.AppId, api.AppId, "Orders.Read");
        var user = await server.Directory.CreateUserAsync();
        return new WebApp(client.Application, client.Secret!, client.Redirect, api, identifier + "/Orders.Read", user);
    }

    /// <summary>MSAL builds the authorization URL (PKCE included), the user signs in, MSAL redeems the code.</summary>
    private async Task<AuthenticationResult> SignInAsync(IConfidentialClientApplication app, WebApp web)
    {
        var url = await app.GetAuthorizationRequestUrl([web.Scope]).WithPkce(out var verifier).ExecuteAsync();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(url.ToString(), web.User.UserName);
        Assert.True(outcome.Query.ContainsKey("code"), $"{outcome.Redirect} {outcome.Body}");
        return await app.AcquireTokenByAuthorizationCode([web.Scope], outcome.Query["code"]).WithPkceCodeVerifier(verifier).ExecuteAsync();
    }

    private static string[] XmsCc(string accessToken)
        => new JsonWebToken(accessToken).TryGetPayloadValue<string[]>("xms_cc", out var values) ? values : [];

    /// <summary>
    /// Holds an app's token cache as MSAL's own serialization (as a distributed cache would) so that a test can age the
    /// access tokens in it, or read the refresh token, without reaching into MSAL.
    /// </summary>
    private sealed class StaleableCache
    {
        private byte[]? _bytes;

        public StaleableCache(ITokenCache cache)
        {
            cache.SetBeforeAccess(args => args.TokenCache.DeserializeMsalV3(_bytes));
            cache.SetAfterAccess(args =>
            {
                if (args.HasStateChanged)
                {
                    _bytes = args.TokenCache.SerializeMsalV3();
                }
            });
        }

        public void ExpireAccessTokens()
        {
            var json = JsonNode.Parse(_bytes!)!.AsObject();
            var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (_, entry) in json["AccessToken"]!.AsObject())
            {
                entry!["expires_on"] = past;
                entry["extended_expires_on"] = past;
                entry.AsObject().Remove("refresh_on");
            }

            _bytes = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        }

        public IEnumerable<string> RefreshTokens()
            => JsonNode.Parse(_bytes!)!["RefreshToken"]!.AsObject().Select(e => e.Value!["secret"]!.GetValue<string>());
    }
}
