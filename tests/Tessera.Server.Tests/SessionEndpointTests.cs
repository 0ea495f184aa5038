using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class SessionEndpointTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task UserInfo_AccessTokenWithProfileAndEmail_ReturnsTheUser()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, "openid profile email");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{server.TenantBase}/oidc/userinfo")).RootElement;
        Assert.Equal(user.Id.ToString("D"), json.GetProperty("sub").GetString());
        Assert.Equal(user.UserName, json.GetProperty("preferred_username").GetString());
        Assert.Equal(user.Email, json.GetProperty("email").GetString());
    }

    [Fact]
    public async Task UserInfo_NoOrBadToken_401WithBearerChallenge()
    {
        using var http = server.CreateHttpClient();
        using var none = await http.GetAsync($"{server.TenantBase}/oidc/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.StartsWith("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");
        using var bad = await http.GetAsync($"{server.TenantBase}/oidc/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
    }

    [Fact]
    public async Task EndSession_RegisteredPostLogoutUri_EndsSsoSessionAndReturnsToClient()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            using var http = server.CreateHttpClient();
            var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
            var logout = QueryHelpers.AddQueryString($"{server.TenantBase}/oauth2/v2.0/logout", new Dictionary<string, string?>
            {
                ["id_token_hint"] = tokens.IdToken,
                ["post_logout_redirect_uri"] = CodeFlowClient.PostLogoutRedirectUri,
                ["state"] = "bye",
            });
            var response = await browser.SendAsync(HttpMethod.Get, logout);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith(CodeFlowClient.PostLogoutRedirectUri, response.Headers.Location!.ToString(), StringComparison.Ordinal);
            Assert.Contains("state=bye", response.Headers.Location!.ToString(), StringComparison.Ordinal);

            var again = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);
            Assert.Equal("login_required", again.Query["error"]);
        }
    }

    [Fact]
    public async Task EndSession_UnregisteredPostLogoutUri_NotRedirected()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var logout = QueryHelpers.AddQueryString($"{server.TenantBase}/oauth2/v2.0/logout", new Dictionary<string, string?>
        {
            ["client_id"] = client.ClientId,
            ["post_logout_redirect_uri"] = "https://evil.example.net/",
        });
        var response = await browser.SendAsync(HttpMethod.Get, logout);
        Assert.False(response.Headers.Location?.ToString().StartsWith("https://evil.example.net", StringComparison.Ordinal) ?? false);
        Assert.True((int)response.StatusCode < 500);
    }

    [Fact]
    public async Task EndSession_WithoutHint_EndsTheSessionOnlyAfterTheUserConfirms()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            var logout = $"{server.TenantBase}/oauth2/v2.0/logout";
            var page = await browser.SendAsync(HttpMethod.Get, logout);
            var body = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("id=\"confirm\"", body, StringComparison.Ordinal);

            // A site that merely links here ends nothing.
            var stillSignedIn = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);
            Assert.True(stillSignedIn.Query.ContainsKey("code"));

            var token = System.Text.RegularExpressions.Regex.Match(body, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
            var confirmed = await browser.SendAsync(HttpMethod.Post, logout, [new("confirm", "yes"), new("__RequestVerificationToken", token)]);
            Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);

            var afterwards = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);
            Assert.Equal("login_required", afterwards.Query["error"]);
        }
    }

    [Fact]
    public async Task EndSession_ConfirmWithoutAntiforgeryToken_AsksAgain()
    {
        using var browser = new UserAgent(server);
        var response = await browser.SendAsync(HttpMethod.Post, $"{server.TenantBase}/oauth2/v2.0/logout", [new("confirm", "yes")]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"confirm\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
