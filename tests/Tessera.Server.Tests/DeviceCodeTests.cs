using System.Net;
using System.Text.RegularExpressions;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed partial class DeviceCodeTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private async Task<Tessera.Directory.Applications.Application> CliAsync()
        => await server.Directory.RegisterAsync(new NewApplication("tessera-like cli " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = true,
            RedirectUris = ["http://127.0.0.1/callback"],
        });

    private Task<TokenResponse> StartAsync(HttpClient http, string clientId, string scope = "openid profile offline_access")
        => TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode", ("client_id", clientId), ("scope", scope));

    private Task<TokenResponse> PollAsync(HttpClient http, string clientId, string deviceCode)
        => TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", clientId), ("device_code", deviceCode));

    private async Task<HttpResponseMessage> ApproveAsync(UserAgent browser, string userCode, string decision)
    {
        var page = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/devicelogin?user_code={Uri.EscapeDataString(userCode)}");
        var body = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"accept\"", body, StringComparison.Ordinal);
        var token = Antiforgery().Match(body).Groups[1].Value;
        return await browser.SendAsync(HttpMethod.Post, $"{server.TenantBase}/devicelogin",
            [new("user_code", userCode), new("decision", decision), new("__RequestVerificationToken", token)]);
    }

    [Fact]
    public async Task DeviceCode_UserApproves_DeviceGetsTokens()
    {
        var user = await server.Directory.CreateUserAsync();
        var cli = await CliAsync();
        using var http = server.CreateHttpClient();

        var start = await StartAsync(http, cli.AppId.ToString());
        start.AssertSuccess();
        var deviceCode = start.Json.GetProperty("device_code").GetString()!;
        var userCode = start.Json.GetProperty("user_code").GetString()!;
        Assert.StartsWith(server.TenantBase + "/devicelogin", start.Json.GetProperty("verification_uri").GetString(), StringComparison.Ordinal);

        (await PollAsync(http, cli.AppId.ToString(), deviceCode)).AssertError("authorization_pending");

        // The user signs in on "another device" (a browser), then approves the code.
        using var browser = new UserAgent(server);
        var signIn = await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);
        Assert.Equal(HttpStatusCode.OK, signIn.LastResponse.StatusCode);
        var approved = await ApproveAsync(browser, userCode, "accept");
        Assert.True(approved.StatusCode is HttpStatusCode.SeeOther or HttpStatusCode.Redirect, approved.StatusCode.ToString());

        var tokens = await PollAsync(http, cli.AppId.ToString(), deviceCode);
        tokens.AssertSuccess();
        Assert.Equal(user.Id.ToString("D"), tokens.Access.Subject);
        Assert.NotNull(tokens.RefreshToken);

        // A device code is good for one redemption.
        Assert.NotNull((await PollAsync(http, cli.AppId.ToString(), deviceCode)).Error);
    }

    [Fact]
    public async Task DeviceCode_PublicClientWithoutRedirectUri_GetsARefreshTokenAndRefreshes()
    {
        // A device-only app (as MSAL's device code flow uses it) registers no redirect URI and always asks for offline_access.
        var user = await server.Directory.CreateUserAsync();
        var device = await server.Directory.RegisterAsync(new NewApplication("device only " + Guid.NewGuid().ToString("N")[..6]) { IsPublicClient = true });
        var clientId = device.AppId.ToString();
        using var http = server.CreateHttpClient();
        var start = await StartAsync(http, clientId);
        start.AssertSuccess();
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);
        await ApproveAsync(browser, start.Json.GetProperty("user_code").GetString()!, "accept");

        var tokens = await PollAsync(http, clientId, start.Json.GetProperty("device_code").GetString()!);
        tokens.AssertSuccess();
        var refreshed = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "refresh_token"), ("client_id", clientId), ("refresh_token", tokens.RefreshToken!));

        refreshed.AssertSuccess();
    }

    [Fact]
    public async Task DeviceCode_UserDenies_AccessDenied()
    {
        var user = await server.Directory.CreateUserAsync();
        var cli = await CliAsync();
        using var http = server.CreateHttpClient();
        var start = await StartAsync(http, cli.AppId.ToString());
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);
        await ApproveAsync(browser, start.Json.GetProperty("user_code").GetString()!, "deny");
        (await PollAsync(http, cli.AppId.ToString(), start.Json.GetProperty("device_code").GetString()!)).AssertError("access_denied");
    }

    [Fact]
    public async Task DeviceCode_WrongUserCode_PageSaysSoAndGrantsNothing()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);
        var page = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/devicelogin?user_code=WRONG-CODE");
        var body = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"error\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"accept\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceCode_ConfidentialWebApp_NotAllowed()
    {
        var web = await CodeFlowClient.RegisterAsync(server);
        using var http = server.CreateHttpClient();
        var start = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode",
            ("client_id", web.ClientId), ("client_secret", web.Secret!), ("scope", "openid"));
        Assert.NotNull(start.Error);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
