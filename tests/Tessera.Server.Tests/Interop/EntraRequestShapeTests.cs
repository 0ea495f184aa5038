using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// Requests shaped the way clients written for Entra ID send them, which plain OAuth servers refuse, checked on the wire:
/// <c>scope</c> on code redemption (Entra requires it, so MSAL always sends it) and the <c>claims</c> parameter with
/// client capabilities (<c>xms_cc</c>).
/// </summary>
public sealed class EntraRequestShapeTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task CodeRedemption_ScopeParameter_AcceptedAndTokenCarriesOnlyWhatWasGranted()
    {
        var (client, identifier, user) = await ClientWithApiAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, $"openid offline_access {identifier}/Orders.Read");
        browser.Dispose();
        using var http = server.CreateHttpClient();

        // MSAL's redemption: the scopes again, plus the OpenID Connect ones; here one more than was granted.
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(
            ("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.Verifier), ("redirect_uri", client.Redirect),
            ("scope", $"{identifier}/Orders.Read {identifier}/Orders.ReadWrite openid profile offline_access"), ("client_info", "1")));

        token.AssertSuccess();
        Assert.Equal("Orders.Read", token.Access.GetClaim("scp").Value);
        Assert.DoesNotContain("Orders.ReadWrite", token.Json.GetProperty("scope").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceCode_ShortGrantTypeWithScope_RedeemedAsRfc8628()
    {
        // MSAL.NET polls with Entra's short grant type and the scopes again.
        var user = await server.Directory.CreateUserAsync();
        var cli = await CodeFlowClient.RegisterAsync(server, confidential: false);
        using var http = server.CreateHttpClient();
        var start = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode", ("client_id", cli.ClientId), ("scope", "openid profile offline_access"));
        start.AssertSuccess();
        var userCode = start.Json.GetProperty("user_code").GetString()!;
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);
        var page = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/devicelogin?user_code={Uri.EscapeDataString(userCode)}");
        await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(), [new("user_code", userCode), new("decision", "accept")], $"{server.TenantBase}/devicelogin");

        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "device_code"), ("client_id", cli.ClientId),
            ("device_code", start.Json.GetProperty("device_code").GetString()!), ("scope", "openid profile offline_access"), ("client_info", "1"));

        token.AssertSuccess();
        Assert.Equal(user.Id.ToString("D"), token.Access.Subject);
    }

    [Theory]
    [InlineData("""{"access_token":{"xms_cc":{"values":["cp1"]}}}""", new[] { "cp1" })]
    [InlineData("""{"access_token":{"xms_cc":{"values":["cp1","cp1","unknown"]},"nbf":{"essential":true,"value":"1700000000"}}}""", new[] { "cp1" })]
    [InlineData("""{"access_token":{"xms_cc":{"values":["unknown"]}}}""", new string[0])]
    [InlineData("""{"id_token":{"xms_cc":{"values":["cp1"]}}}""", new string[0])]
    [InlineData("""{"access_token":{"acrs":{"essential":true,"value":"c1"}}}""", new string[0])]
    [InlineData("not json", new string[0])]
    public async Task ClientCredentials_ClaimsParameter_KnownCapabilitiesEchoedOthersIgnored(string claims, string[] expected)
    {
        var (daemon, secret, identifier) = await DaemonAsync();
        using var http = server.CreateHttpClient();

        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon), ("client_secret", secret), ("scope", identifier + "/.default"), ("claims", claims));

        token.AssertSuccess();
        Assert.Equal(expected, token.Access.TryGetPayloadValue<string[]>("xms_cc", out var values) ? values : []);
    }

    [Fact]
    public async Task Refresh_ClaimsParameterWithCp1_EchoedInTheRefreshedToken()
    {
        var (client, identifier, user) = await ClientWithApiAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, $"openid offline_access {identifier}/Orders.Read");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        Assert.False(tokens.Access.TryGetPayloadValue<object>("xms_cc", out _));

        var refreshed = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(
            ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("claims", """{"access_token":{"xms_cc":{"values":["cp1"]}}}""")));

        refreshed.AssertSuccess();
        Assert.Equal(["cp1"], refreshed.Access.TryGetPayloadValue<string[]>("xms_cc", out var values) ? values : []);
        Assert.Null(new JsonWebToken(refreshed.IdToken ?? tokens.IdToken!).Claims.FirstOrDefault(c => c.Type == "xms_cc"));
    }

    private async Task<(CodeFlowClient Client, string Identifier, Tessera.Directory.Users.DirectoryUser User)> ClientWithApiAsync()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.GrantConsentAsync(client.Application.AppId, api.AppId, "Orders.Read");
        return (client, identifier, await server.Directory.CreateUserAsync());
    }

    private async Task<(string ClientId, string Secret, string Identifier)> DaemonAsync()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        var daemon = await server.Directory.NewDaemonAsync(api);
        return (daemon.AppId.ToString("D"), await server.Directory.AddSecretAsync(daemon.AppId), identifier);
    }
}
