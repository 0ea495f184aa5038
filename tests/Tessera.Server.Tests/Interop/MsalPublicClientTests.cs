using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Applications;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// MSAL.NET as a public (native) client: the interactive flow through a browser (MSAL's <see cref="ICustomWebUi"/>
/// hook, here <see cref="UserAgent"/>) with a loopback redirect URI, and the device code flow.
/// </summary>
public sealed class MsalPublicClientTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    [Theory]
    [InlineData(MsalConfidentialClientTests.AuthorityStyle.Oidc)]
    [InlineData(MsalConfidentialClientTests.AuthorityStyle.EntraShaped)]
    public async Task Interactive_LoopbackRedirect_TokenThenSilentRefresh(MsalConfidentialClientTests.AuthorityStyle style)
    {
        var (native, api, scope, user) = await NativeAppAsync();
        using var http = new MsalHttpClients(new LoopbackOnlyHandler(server));
        var app = Builder(native, style, http).Build();
        var browser = new UserAgentWebUi(server, user.UserName!);

        var result = await app.AcquireTokenInteractive([scope]).WithCustomWebUi(browser).ExecuteAsync();
        var account = Assert.Single(await app.GetAccountsAsync());
        var refreshed = await app.AcquireTokenSilent([scope], account).WithForceRefresh(true).ExecuteAsync();

        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(token.Audiences));
        Assert.Equal("0", token.GetClaim("azpacr").Value);
        Assert.Equal(user.UserName, result.Account.Username);
        Assert.Equal("S256", browser.AuthorizationParameters["code_challenge_method"]);
        Assert.Equal(TokenSource.IdentityProvider, refreshed.AuthenticationResultMetadata.TokenSource);
        Assert.NotEqual(result.AccessToken, refreshed.AccessToken);
        Assert.Empty(http.Handler.Refused);
    }

    [Fact]
    public async Task DeviceCode_EntraShapedAuthority_TokenAfterTheUserApproves()
    {
        var (native, api, scope, user) = await NativeAppAsync();
        using var http = new MsalHttpClients(new LoopbackOnlyHandler(server));
        var app = Builder(native, MsalConfidentialClientTests.AuthorityStyle.EntraShaped, http).Build();

        // MSAL shows the code to the user and waits for this callback before it polls: the user approves meanwhile.
        var result = await app.AcquireTokenWithDeviceCode([scope], async code =>
        {
            Assert.Equal($"{server.TenantBase}/devicelogin", code.VerificationUrl);
            using var browser = new UserAgent(server);
            await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);
            var page = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/devicelogin?user_code={Uri.EscapeDataString(code.UserCode)}");
            var response = await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(),
                [new("user_code", code.UserCode), new("decision", "accept")], $"{server.TenantBase}/devicelogin");
            Assert.True((int)response.StatusCode is 302 or 303, response.StatusCode.ToString());
        }).ExecuteAsync();

        Assert.Equal(user.Id.ToString("D"), new JsonWebToken(result.AccessToken).GetClaim("oid").Value);
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(new JsonWebToken(result.AccessToken).Audiences));
        Assert.Contains(http.Handler.FormBodies, body => body.Contains("grant_type=device_code&", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeviceCode_OidcAuthority_NotImplementedByMsal()
    {
        // MSAL's generic (OIDC) authority has no device code endpoint; the Entra-shaped authority has one.
        var (native, _, scope, _) = await NativeAppAsync();
        using var http = new MsalHttpClients(new LoopbackOnlyHandler(server));
        var app = Builder(native, MsalConfidentialClientTests.AuthorityStyle.Oidc, http).Build();

        await Assert.ThrowsAsync<NotImplementedException>(() => app.AcquireTokenWithDeviceCode([scope], _ => Task.CompletedTask).ExecuteAsync());
    }

    private PublicClientApplicationBuilder Builder(Application native, MsalConfidentialClientTests.AuthorityStyle style, MsalHttpClients http)
    {
        var builder = PublicClientApplicationBuilder.Create(native.AppId.ToString("D"))
            .WithRedirectUri($"http://127.0.0.1:{Random.Shared.Next(49152, 65535)}/callback")
            .WithHttpClientFactory(http);
        return style == MsalConfidentialClientTests.AuthorityStyle.Oidc
            // Public clients on an OIDC authority are an experimental feature of MSAL 4.92.
            ? builder.WithExperimentalFeatures().WithOidcAuthority(server.Authority)
            : builder.WithAuthority($"{server.TenantBase}/", validateAuthority: false).WithInstanceDiscovery(false);
    }

    private async Task<(Application Native, Application Api, string Scope, Tessera.Directory.Users.DirectoryUser User)> NativeAppAsync()
    {
        var native = (await CodeFlowClient.RegisterAsync(server, confidential: false)).Application;
        var identifier = "api://orders-" + Guid.NewGuid().ToString("N")[..8];
        var api = await server.Directory.RegisterApiAsync(identifier);
        await server.Directory.GrantConsentAsync(native.AppId, api.AppId, "Orders.Read");
        return (native, api, identifier + "/Orders.Read", await server.Directory.CreateUserAsync());
    }

    /// <summary>The system browser MSAL would open, as <see cref="UserAgent"/>: signs in, consents, returns the redirect.</summary>
    private sealed class UserAgentWebUi(HttpsServerFixture server, string userName) : ICustomWebUi
    {
        public Dictionary<string, string> AuthorizationParameters { get; private set; } = [];

        public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            AuthorizationParameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorizationUri.Query)
                .ToDictionary(p => p.Key, p => p.Value.ToString());
            using var browser = new UserAgent(server);
            var outcome = await browser.AuthorizeAsync(authorizationUri.ToString(), userName);
            Assert.True(outcome.Redirect is not null, outcome.ErrorText);
            Assert.StartsWith(redirectUri.ToString(), outcome.Redirect!.ToString(), StringComparison.Ordinal);
            return outcome.Redirect;
        }
    }
}
