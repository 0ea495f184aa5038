using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Applications;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// The JavaScript clients people use, unchanged, against Tessera on HTTPS: openid-client 6 in Node.js, and
/// oidc-client-ts 3 in Debian's Chromium as the single-page app of <c>samples/spa</c>. Each test runs one script of
/// <c>tests/js-interop</c> (see <see cref="NodeScript"/>) and checks what the client got, validating tokens here.
/// </summary>
public sealed class JavaScriptClientTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    private const string WebRedirectUri = "https://app.interop.example/callback";
    private const string WebPostLogoutUri = "https://app.interop.example/signed-out";

    [Fact]
    public async Task OpenIdClient_DiscoveryClientCredentialsCodeFlowRefreshUserInfoIntrospectionRevocationLogout_AllWork()
    {
        var api = await server.Directory.RegisterApiAsync("api://js-orders-" + Guid.NewGuid().ToString("N")[..8]);
        var web = await server.Directory.RegisterAsync(new NewApplication("openid-client web app")
        {
            RedirectUris = [WebRedirectUri],
            PostLogoutRedirectUris = [WebPostLogoutUri],
        });
        var secret = await server.Directory.AddSecretAsync(web.AppId);
        await server.Directory.AssignAsync(web.AppId, "ServicePrincipal", api.AppId, "Orders.Read.All");
        var user = await server.Directory.CreateUserAsync();
        var apiAudience = api.AppId.ToString("D");

        var results = await NodeScript.RunAsync("openid-client.mjs", new
        {
            issuer = server.Authority,
            clientId = web.AppId.ToString("D"),
            clientSecret = secret,
            redirectUri = WebRedirectUri,
            postLogoutRedirectUri = WebPostLogoutUri,
            apiScope = api.IdentifierUris[0] + "/Orders.Read",
            apiDefaultScope = api.IdentifierUris[0] + "/.default",
            userName = user.UserName,
            password = TestDirectory.Password,
        }, server.CertificatePemPath);

        var discovery = results["discovery"]!;
        Assert.Equal(server.Authority, Text(discovery, "issuer"));
        Assert.Equal(server.TokenEndpoint, Text(discovery, "token_endpoint"));
        Assert.True(discovery["supportsPKCE"]!.GetValue<bool>());

        foreach (var step in new[] { "clientCredentialsPost", "clientCredentialsBasic" })
        {
            var appOnly = await ValidAccessTokenAsync(Text(results[step]!, "access_token"), apiAudience);
            Assert.Equal("app", appOnly.GetClaim("idtyp").Value);
            Assert.Contains("Orders.Read.All", appOnly.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        }

        var code = results["authorizationCode"]!;
        Assert.True(code["consentShown"]!.GetValue<bool>(), "The user had not consented yet: the consent page should have been shown.");
        Assert.Equal(server.Authority, Text(code, "issParameter"));
        Assert.Equal(user.Id.ToString("D"), Text(code["claims"]!, "oid"));
        Assert.Equal(server.TenantId.ToString("D"), Text(code["claims"]!, "tid"));
        Assert.Equal(web.AppId.ToString("D"), Text(code["claims"]!, "aud"));
        var delegated = await ValidAccessTokenAsync(Text(code, "access_token"), apiAudience);
        Assert.Equal("Orders.Read", delegated.GetClaim("scp").Value);
        Assert.Equal(user.Id.ToString("D"), delegated.GetClaim("oid").Value);

        var refresh = results["refresh"]!;
        var refreshed = await ValidAccessTokenAsync(Text(refresh, "access_token"), apiAudience);
        Assert.Equal("Orders.Read", refreshed.GetClaim("scp").Value);
        Assert.NotEqual(Text(code, "refresh_token"), Text(refresh, "refresh_token"));

        var userInfo = results["userInfo"]!;
        Assert.Equal(Text(code["claims"]!, "sub"), Text(userInfo, "sub"));
        Assert.Equal(user.UserName, Text(userInfo, "preferred_username"));
        Assert.Equal(user.Email, Text(userInfo, "email"));

        var introspection = results["introspection"]!;
        Assert.True(introspection["accessToken"]!["active"]!.GetValue<bool>(), introspection.ToJsonString());
        Assert.True(introspection["refreshToken"]!["active"]!.GetValue<bool>(), introspection.ToJsonString());

        var revocation = results["revocation"]!;
        Assert.True(revocation["refusedAfterRevocation"]!.GetValue<bool>(), revocation.ToJsonString());
        Assert.Equal("invalid_grant", Text(revocation, "error"));

        var endSession = results["endSession"]!;
        Assert.StartsWith($"{server.TenantBase}/oauth2/v2.0/logout?", Text(endSession, "endSessionUrl"), StringComparison.Ordinal);
        Assert.Equal(WebPostLogoutUri, Text(endSession, "landedOn"));
        Assert.True(endSession["stateReturned"]!.GetValue<bool>());
        Assert.Equal("login_required", Text(endSession, "silentSignInAfterLogout"));
    }

    [Fact]
    public async Task OidcClientTs_SpaSampleInChromium_SignsInCallsApiRenewsAndSignsOut()
    {
        var port = FreeLoopbackPort();
        var origin = $"https://127.0.0.1:{port}";
        var api = await server.Directory.RegisterApiAsync("api://js-spa-" + Guid.NewGuid().ToString("N")[..8]);
        var spaClientId = await RegisterSpaAsync(origin);
        var web = await server.Directory.RegisterAsync(new NewApplication("a web app, not a SPA") { RedirectUris = [WebRedirectUri] });
        var user = await server.Directory.CreateUserAsync();
        var apiAudience = api.AppId.ToString("D");

        // The sample's server speaks HTTPS with the test server's certificate, so that the page and Tessera are the
        // same site (https://127.0.0.1) as an app and its identity provider usually are: the silent renewal's iframe
        // then carries the session cookie (SameSite=Lax).
        var keyPath = Path.Combine(Path.GetDirectoryName(server.CertificatePemPath)!, "server.key.pem");
        await File.WriteAllTextAsync(keyPath, PrivateKeyPem(server.Certificate));

        JsonObject results;
        try
        {
            results = await NodeScript.RunAsync("spa.mjs", new
            {
                issuer = server.Authority,
                tokenEndpoint = server.TokenEndpoint,
                clientId = spaClientId,
                otherClientId = web.AppId.ToString("D"),
                apiScope = api.IdentifierUris[0] + "/Orders.Read",
                apiAudience,
                port,
                certPath = server.CertificatePemPath,
                keyPath,
                userName = user.UserName,
                password = TestDirectory.Password,
            }, server.CertificatePemPath, Path.Combine(NodeScript.RepositoryRoot, "samples", "spa"));
        }
        finally
        {
            File.Delete(keyPath);
        }

        var signIn = results["signIn"]!;
        Assert.True(signIn["consentShown"]!.GetValue<bool>());
        Assert.Equal(origin + "/", Text(signIn, "landedOn"));
        Assert.Contains(user.UserName!, Text(signIn, "status"), StringComparison.Ordinal);
        Assert.True(signIn["hasRefreshToken"]!.GetValue<bool>());
        var delegated = await ValidAccessTokenAsync(Text(signIn, "access_token"), apiAudience);
        Assert.Equal("Orders.Read", delegated.GetClaim("scp").Value);
        Assert.Equal(spaClientId, delegated.GetClaim("azp").Value);
        Assert.Equal("0", delegated.GetClaim("azpacr").Value);
        Assert.Equal(spaClientId, Assert.Single(new JsonWebToken(Text(signIn, "id_token")).Audiences));

        // Tokens only in this tab's sessionStorage; nothing at all in localStorage.
        Assert.Contains(signIn["sessionStorageKeys"]!.AsArray(), k => k!.GetValue<string>().StartsWith("oidc.user:", StringComparison.Ordinal));
        Assert.Empty(signIn["localStorageKeys"]!.AsArray());

        foreach (var step in new[] { "callApi", "callApiAfterRenewal" })
        {
            Assert.Equal($"Hello, {user.DisplayName}!", Text(results[step]!, "message"));
            Assert.Equal("Orders.Read", Text(results[step]!, "scp"));
        }

        var renewed = results["renewWithRefreshToken"]!;
        Assert.True(renewed["accessTokenChanged"]!.GetValue<bool>());
        Assert.True(renewed["refreshTokenRotated"]!.GetValue<bool>());
        await ValidAccessTokenAsync(Text(renewed, "access_token"), apiAudience);

        var silent = results["renewSilently"]!;
        Assert.Equal("prompt=none", Text(silent["shown"]!, "renewedWith"));
        Assert.True(silent["accessTokenChanged"]!.GetValue<bool>());
        Assert.Equal("Orders.Read", (await ValidAccessTokenAsync(Text(silent, "access_token"), apiAudience)).GetClaim("scp").Value);

        var cors = results["corsSeenByTheBrowser"]!;
        Assert.True(cors["ownClient"]!["readable"]!.GetValue<bool>(), cors.ToJsonString());
        Assert.Equal("invalid_grant", Text(cors["ownClient"]!, "error"));
        Assert.False(cors["otherClient"]!["readable"]!.GetValue<bool>(), cors.ToJsonString());

        var signOut = results["signOut"]!;
        Assert.True(signOut["shown"]!["signedOut"]!.GetValue<bool>());
        Assert.Equal(origin + "/", Text(signOut, "landedOn"));
        Assert.True(signOut["userRemoved"]!.GetValue<bool>());

        Assert.Empty(results["pageErrors"]!.AsArray());
    }

    [Fact]
    public async Task SpaSampleSetup_RunTwice_OneSpaRegistrationWhoseDemoUserGetsATokenWithoutConsentPage()
    {
        const string origin = "http://127.0.0.1:5173";

        var results = await NodeScript.RunAsync("spa-setup.mjs", new
        {
            bootstrapPath = Path.Combine(server.DataPath, Tessera.Server.Hosting.FirstRun.BootstrapFile),
            origin,
        }, server.CertificatePemPath, Path.Combine(NodeScript.RepositoryRoot, "samples", "spa"));

        var (first, second) = (results["first"]!, results["second"]!);
        Assert.Equal(server.Authority, Text(second, "authority"));
        Assert.Equal(Text(first, "clientId"), Text(second, "clientId"));
        Assert.Equal(Text(first, "apiAudience"), Text(second, "apiAudience"));
        var clientId = Guid.Parse(Text(second, "clientId"));
        var spa = await server.Directory.QueryAsync(db => db.Applications.AsNoTracking().SingleAsync(a => a.AppId == clientId));
        Assert.Equal([origin + "/", origin + "/silent-renew.html"], spa.SpaRedirectUris);
        Assert.Empty(spa.WebRedirectUris);
        Assert.True(spa.IsPublicClient);
        Assert.Equal([origin + "/"], spa.PostLogoutRedirectUris);

        // The printed user and password sign in, and the administrator's consent spares them the consent page.
        var pkce = Pkce.Create();
        var authorize = QueryHelpers.AddQueryString(server.AuthorizeEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = clientId.ToString("D"), ["response_type"] = "code", ["redirect_uri"] = origin + "/",
            ["scope"] = "openid profile offline_access " + Text(second, "apiScope"), ["state"] = "s",
            ["code_challenge"] = pkce.Challenge, ["code_challenge_method"] = "S256",
        });
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(authorize, Text(second["user"]!, "userName"), Text(second["user"]!, "password"), consent: false);
        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        using var http = server.CreateHttpClient();
        var tokens = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "authorization_code"), ("client_id", clientId.ToString("D")),
            ("code", outcome.Query["code"]), ("redirect_uri", origin + "/"), ("code_verifier", pkce.Verifier));
        tokens.AssertSuccess();
        Assert.Equal("Hello.Read", (await ValidAccessTokenAsync(tokens.AccessToken, Text(second, "apiAudience"))).GetClaim("scp").Value);
    }

    /// <summary>A single-page app registered as people do: the admin API, <c>spa.redirectUris</c>, exact URIs.</summary>
    private async Task<string> RegisterSpaAsync(string origin)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new
        {
            displayName = "SPA sample (oidc-client-ts)",
            spa = new { redirectUris = new[] { origin + "/", origin + "/silent-renew.html" } },
            postLogoutRedirectUris = new[] { origin + "/" },
        });
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!["appId"]!.GetValue<string>();
    }

    private async Task<JsonWebToken> ValidAccessTokenAsync(string token, string audience)
    {
        var validation = await TokenValidation.ValidateAsync(server, token, audience);
        Assert.True(validation.IsValid, validation.Exception?.Message);
        return new JsonWebToken(token);
    }

    private static string Text(JsonNode node, string name)
        => node[name]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"No '{name}' in {node.ToJsonString()}");

    private static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The test certificate has no ECDSA key.");
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
