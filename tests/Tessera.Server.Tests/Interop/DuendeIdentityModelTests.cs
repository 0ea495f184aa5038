using System.Security.Claims;
using Duende.IdentityModel.Client;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Browser;
using Duende.IdentityModel.OidcClient.Results;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.Applications;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// Duende.IdentityModel 8.1 (the protocol helpers on HttpClient: discovery, token, introspection, revocation) and
/// Duende.IdentityModel.OidcClient 7.1 (a native app's login through the system browser, here <see cref="UserAgent"/>
/// behind a loopback redirect URI), unchanged.
/// </summary>
public sealed class DuendeIdentityModelTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    // --- discovery --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Discovery_DefaultPolicy_RefusesEndpointsOutsideTheIssuerPath()
    {
        // Entra-shaped layout: the issuer is {origin}/{tenant}/v2.0 but the endpoints are {origin}/{tenant}/oauth2/...,
        // which IdentityModel's default policy refuses as outside the authority (it does the same to Entra ID itself).
        using var http = new HttpClient(new LoopbackOnlyHandler(server));

        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest { Address = server.Authority });

        Assert.True(discovery.IsError);
        Assert.Contains("Invalid base address for endpoint", discovery.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_TenantAsAdditionalBase_ValidatedOverHttps()
    {
        using var http = new HttpClient(new LoopbackOnlyHandler(server));

        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest { Address = server.Authority, Policy = Policy() });

        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(server.Authority, discovery.Issuer);
        Assert.Equal(server.TokenEndpoint, discovery.TokenEndpoint);
        Assert.Equal($"{server.TenantBase}/oauth2/v2.0/introspect", discovery.IntrospectionEndpoint);
        Assert.Equal($"{server.TenantBase}/oauth2/v2.0/revoke", discovery.RevocationEndpoint);
        Assert.NotEmpty(discovery.KeySet!.Keys);
        Assert.All(discovery.KeySet.Keys, key => Assert.Equal("EC", key.Kty));
    }

    // --- token, introspection, revocation ---------------------------------------------------------------------------

    [Theory]
    [InlineData(ClientCredentialStyle.AuthorizationHeader)]
    [InlineData(ClientCredentialStyle.PostBody)]
    public async Task ClientCredentials_SecretInHeaderOrBody_TokenIssued(ClientCredentialStyle style)
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        var daemon = await server.Directory.NewDaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = new HttpClient(new LoopbackOnlyHandler(server));
        var discovery = await DiscoverAsync(http);

        var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = daemon.AppId.ToString("D"),
            ClientSecret = secret,
            ClientCredentialStyle = style,
            Scope = identifier + "/.default",
        });

        Assert.False(token.IsError, token.Raw);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(new JsonWebToken(token.AccessToken).Audiences));
    }

    [Fact]
    public async Task Refresh_RotatedTokenEachTime()
    {
        var (client, tokens) = await SignedInAsync();
        using var http = new HttpClient(new LoopbackOnlyHandler(server));
        var discovery = await DiscoverAsync(http);

        var first = await http.RequestRefreshTokenAsync(client.Refresh(discovery, tokens.RefreshToken!));
        var second = await http.RequestRefreshTokenAsync(client.Refresh(discovery, first.RefreshToken!));

        Assert.False(first.IsError, first.Raw);
        Assert.False(second.IsError, second.Raw);
        Assert.NotEqual(tokens.RefreshToken, first.RefreshToken);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
    }

    [Fact]
    public async Task Introspection_ApiIntrospectsAUserToken_ActiveWithClaims()
    {
        var (client, tokens) = await SignedInAsync();
        using var http = new HttpClient(new LoopbackOnlyHandler(server));
        var discovery = await DiscoverAsync(http);

        var result = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = discovery.IntrospectionEndpoint,
            ClientId = client.Api.AppId.ToString("D"),
            ClientSecret = client.ApiSecret,
            Token = tokens.AccessToken,
        });

        Assert.False(result.IsError, result.Raw);
        Assert.True(result.IsActive, result.Raw);
        Assert.Contains(result.Claims, c => c.Type == "sub" && c.Value == client.User.Id.ToString("D"));
        Assert.Contains(result.Claims, c => c.Type == "client_id" && c.Value == client.ClientId);
    }

    [Fact]
    public async Task Introspection_AnotherApisToken_Refused()
    {
        var (_, tokens) = await SignedInAsync();
        var (stranger, _) = await server.Directory.NewApiAsync();
        var strangerSecret = await server.Directory.AddSecretAsync(stranger.AppId);
        using var http = new HttpClient(new LoopbackOnlyHandler(server));
        var discovery = await DiscoverAsync(http);

        var result = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = discovery.IntrospectionEndpoint,
            ClientId = stranger.AppId.ToString("D"),
            ClientSecret = strangerSecret,
            Token = tokens.AccessToken,
        });

        Assert.False(result.IsActive, result.Raw);
    }

    [Fact]
    public async Task Revocation_RefreshToken_RevokedThenRefused()
    {
        var (client, tokens) = await SignedInAsync();
        using var http = new HttpClient(new LoopbackOnlyHandler(server));
        var discovery = await DiscoverAsync(http);

        var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = discovery.RevocationEndpoint,
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            Token = tokens.RefreshToken!,
            TokenTypeHint = "refresh_token",
        });
        var refreshed = await http.RequestRefreshTokenAsync(client.Refresh(discovery, tokens.RefreshToken!));

        Assert.False(revoked.IsError, revoked.Raw);
        Assert.True(refreshed.IsError);
        Assert.Equal("invalid_grant", refreshed.Error);
    }

    [Fact]
    public async Task Revocation_JwtAccessToken_NotRevocable()
    {
        // Access tokens are self-contained JWTs with no row to delete: they are short-lived, and revocation reaches APIs
        // through Continuous Access Evaluation instead. The endpoint says so with the standard error.
        var (client, tokens) = await SignedInAsync();
        using var http = new HttpClient(new LoopbackOnlyHandler(server));
        var discovery = await DiscoverAsync(http);

        var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = discovery.RevocationEndpoint,
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            Token = tokens.AccessToken,
            TokenTypeHint = "access_token",
        });

        Assert.True(revoked.IsError);
        Assert.Equal("unsupported_token_type", revoked.Error);
    }

    // --- OidcClient: a native app ------------------------------------------------------------------------------------

    [Fact]
    public async Task OidcClient_LoginWithLoopbackRedirect_ProfileAndRefresh()
    {
        var user = await server.Directory.CreateUserAsync();
        var native = await CodeFlowClient.RegisterAsync(server, confidential: false);
        using var browser = new UserAgentBrowser(server, user.UserName!);
        var oidc = new OidcClient(NativeOptions(native.ClientId, browser, "openid profile offline_access"));

        var login = await oidc.LoginAsync(new LoginRequest());

        Assert.False(login.IsError, login.Error);
        Assert.Equal(user.UserName, login.User.FindFirst("preferred_username")?.Value);
        Assert.Equal(user.Id.ToString("D"), login.User.FindFirst("oid")?.Value);
        Assert.StartsWith("http://127.0.0.1:", browser.Redirect!.ToString(), StringComparison.Ordinal);

        var refreshed = await oidc.RefreshTokenAsync(login.RefreshToken);

        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(login.AccessToken, refreshed.AccessToken);
    }

    [Fact]
    public async Task OidcClient_LoginForAnApi_AccessTokenForTheApi()
    {
        // A token for an API is no token for userinfo (one audience per token, as with Entra ID and Graph), so the
        // app does not ask OidcClient to load the profile: the ID token has it.
        var user = await server.Directory.CreateUserAsync();
        var native = await CodeFlowClient.RegisterAsync(server, confidential: false);
        var (api, identifier) = await server.Directory.NewApiAsync();
        using var browser = new UserAgentBrowser(server, user.UserName!);
        var options = NativeOptions(native.ClientId, browser, $"openid profile offline_access {identifier}/Orders.Read");
        options.LoadProfile = false;
        var oidc = new OidcClient(options);

        var login = await oidc.LoginAsync(new LoginRequest());
        var refreshed = await oidc.RefreshTokenAsync(login.RefreshToken);

        Assert.False(login.IsError, login.Error);
        var access = new JsonWebToken(login.AccessToken);
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(access.Audiences));
        Assert.Equal("Orders.Read", access.GetClaim("scp").Value);
        Assert.Equal("0", access.GetClaim("azpacr").Value);
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.Equal("Orders.Read", new JsonWebToken(refreshed.AccessToken).GetClaim("scp").Value);
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /// <summary>The policy Tessera (like Entra ID) needs: the tenant's base, where every endpoint lives, is trusted too.</summary>
    private DiscoveryPolicy Policy() => new()
    {
        RequireHttps = true,
        AllowHttpOnLoopback = false,
        AdditionalEndpointBaseAddresses = [server.TenantBase],
    };

    private async Task<DiscoveryDocumentResponse> DiscoverAsync(HttpClient http)
    {
        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest { Address = server.Authority, Policy = Policy() });
        Assert.False(discovery.IsError, discovery.Error);
        return discovery;
    }

    private OidcClientOptions NativeOptions(string clientId, IBrowser browser, string scope) => new()
    {
        Authority = server.Authority,
        ClientId = clientId,
        Scope = scope,
        // RFC 8252: a loopback redirect URI on whatever port the app got; Tessera ignores the port for native apps.
        RedirectUri = $"http://127.0.0.1:{Random.Shared.Next(49152, 65535)}/callback",
        Browser = browser,
        BackchannelHandler = new LoopbackOnlyHandler(server),
        IdentityTokenValidator = new JsonWebTokenIdentityTokenValidator(),
        Policy = new Duende.IdentityModel.OidcClient.Policy { Discovery = Policy(), ValidSignatureAlgorithms = ["ES256"] },
    };

    private sealed record SignedInClient(string ClientId, string Secret, Application Api, string ApiSecret, Tessera.Directory.Users.DirectoryUser User)
    {
        public RefreshTokenRequest Refresh(DiscoveryDocumentResponse discovery, string refreshToken) => new()
        {
            Address = discovery.TokenEndpoint,
            ClientId = ClientId,
            ClientSecret = Secret,
            RefreshToken = refreshToken,
        };
    }

    /// <summary>A confidential web app, signed in for a user, holding a token for an API that has a secret of its own.</summary>
    private async Task<(SignedInClient Client, Infrastructure.TokenResponse Tokens)> SignedInAsync()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        var apiSecret = await server.Directory.AddSecretAsync(api.AppId);
        var client = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.GrantConsentAsync(client.Application.AppId, api.AppId, "Orders.Read");
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, $"openid offline_access {identifier}/Orders.Read");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return (new SignedInClient(client.ClientId, client.Secret!, api, apiSecret, user), tokens);
    }

    /// <summary>The system browser of a native app: <see cref="UserAgent"/> signs the user in and stops at the loopback redirect.</summary>
    private sealed class UserAgentBrowser(HttpsServerFixture server, string userName) : IBrowser, IDisposable
    {
        private readonly UserAgent _agent = new(server);

        public Uri? Redirect { get; private set; }

        public async Task<BrowserResult> InvokeAsync(BrowserOptions options, CancellationToken cancellationToken = default)
        {
            var outcome = await _agent.AuthorizeAsync(options.StartUrl, userName);
            if (outcome.Redirect is null || !outcome.Redirect.ToString().StartsWith(options.EndUrl, StringComparison.Ordinal))
            {
                return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = outcome.ErrorText };
            }

            Redirect = outcome.Redirect;
            return new BrowserResult { ResultType = BrowserResultType.Success, Response = outcome.Redirect.ToString() };
        }

        public void Dispose() => _agent.Dispose();
    }

    /// <summary>
    /// OidcClient 7 leaves ID token validation to the app (Duende ships a validator as a separate package); this one
    /// checks signature (against the discovered key set), issuer, audience and lifetime with Microsoft.IdentityModel.
    /// </summary>
    private sealed class JsonWebTokenIdentityTokenValidator : IIdentityTokenValidator
    {
        public async Task<IdentityTokenValidationResult> ValidateAsync(string identityToken, OidcClientOptions options, CancellationToken cancellationToken = default)
        {
            var keys = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(options.ProviderInformation.KeySet.RawData);
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(identityToken, new TokenValidationParameters
            {
                ValidIssuer = options.ProviderInformation.IssuerName,
                ValidAudience = options.ClientId,
                IssuerSigningKeys = keys.GetSigningKeys(),
                ValidAlgorithms = options.Policy.ValidSignatureAlgorithms,
                NameClaimType = "preferred_username",
            });
            return result.IsValid
                ? new IdentityTokenValidationResult { User = new ClaimsPrincipal(result.ClaimsIdentity), SignatureAlgorithm = ((JsonWebToken)result.SecurityToken).Alg }
                : new IdentityTokenValidationResult { Error = result.Exception?.Message ?? "invalid identity token" };
        }
    }
}
