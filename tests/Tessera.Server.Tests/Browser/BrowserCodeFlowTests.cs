using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Tessera.Directory.Applications;
using Tessera.Directory.Users;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// The authorization code flow with PKCE as a person meets it: Debian's Chromium on the real sign-in and consent
/// pages, the response caught at the public client's loopback redirect URI inside the browser, the code redeemed
/// over HTTP. Screenshots of the pages go to <c>bin/screenshots/</c> for a reviewer.
/// </summary>
public sealed class BrowserCodeFlowTests(TesseraServerFixture server, ChromiumFixture chromium)
    : IClassFixture<TesseraServerFixture>, IClassFixture<ChromiumFixture>
{
    // A native client's loopback redirect URI. Nothing listens there: the browser session answers it itself.
    private const string RedirectUri = "http://127.0.0.1:47613/callback";
    private const string ClientName = "Browser test client";
    private static readonly TimeSpan RedirectTimeout = TimeSpan.FromSeconds(15);

    // bin/Debug/net10.0 → bin/screenshots, which git ignores.
    private static readonly string ScreenshotFolder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "screenshots"));

    private string SignInPath => $"/{server.TenantId:D}/account/signin";
    private string ConsentPath => $"/{server.TenantId:D}/account/consent";

    [Fact]
    public async Task CodeFlow_UserSignsInAndConsents_ClientRedeemsCodeForTokens()
    {
        var flow = await ArrangeAsync();
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(flow.AuthorizeUrl(server.AuthorizeEndpoint));
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        Assert.Equal(SignInPath, new Uri(page.Url).AbsolutePath);
        await AssertStyledAsync(page);
        await SaveScreenshotAsync(page, "signin.png");

        await SignInAsync(page, flow.User.UserName!, TestDirectory.Password);
        await Expect(page.Locator("#accept")).ToBeVisibleAsync();
        Assert.Equal(ConsentPath, new Uri(page.Url).AbsolutePath);
        await Expect(page.Locator("h1")).ToContainTextAsync(ClientName);
        var permissions = await page.Locator("#permissions li").AllInnerTextsAsync();
        Assert.Equal(4, permissions.Count);
        Assert.Contains(permissions, p => p.StartsWith("Sign you in", StringComparison.Ordinal));
        Assert.Contains(permissions, p => p.Contains("Orders.Read", StringComparison.Ordinal) && p.Contains("Low risk", StringComparison.Ordinal));
        await Expect(page.Locator("#publisher")).ToContainTextAsync("Registered by your organisation");
        await AssertStyledAsync(page);
        await SaveScreenshotAsync(page, "consent.png");

        await page.ClickAsync("#accept");
        var response = Query(await browser.ClientRedirect.WaitAsync(RedirectTimeout));
        Assert.False(response.ContainsKey("error"), response.GetValueOrDefault("error_description"));
        Assert.Equal(flow.State, response["state"]);
        Assert.Equal(server.Authority, response["iss"]);
        var code = response["code"];
        Assert.False(string.IsNullOrEmpty(code));

        using var http = server.CreateHttpClient();
        var tokens = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "authorization_code"), ("client_id", flow.ClientId), ("code", code), ("redirect_uri", RedirectUri),
            ("code_verifier", flow.Pkce.Verifier));
        tokens.AssertSuccess();

        var apiAudience = flow.Api.AppId.ToString("D");
        Assert.Equal("Orders.Read", tokens.Access.GetClaim("scp").Value);
        Assert.Equal(apiAudience, Assert.Single(tokens.Access.Audiences));
        Assert.Equal(flow.User.Id.ToString("D"), tokens.Access.GetClaim("oid").Value);
        var validation = await TokenValidation.ValidateAsync(server, tokens.AccessToken, apiAudience);
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var idToken = new JsonWebToken(tokens.IdToken ?? throw new Xunit.Sdk.XunitException("No id_token: " + tokens.Body));
        Assert.Equal(flow.Nonce, idToken.GetClaim("nonce").Value);
        Assert.Equal(flow.ClientId, Assert.Single(idToken.Audiences));
        Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));

        var cookies = await browser.Context.CookiesAsync([server.Origin]);
        var session = Assert.Single(cookies, c => c.Name == "__Host-tessera.session");
        Assert.True(session.Secure);
        Assert.True(session.HttpOnly);
        Assert.Equal("/", session.Path);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
        Assert.Equal(-1, session.Expires); // a browser-session cookie: the sign-in is not persistent

        Assert.Empty(browser.CspViolations);
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsGenericErrorAndNoRedirect()
    {
        var flow = await ArrangeAsync();
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(flow.AuthorizeUrl(server.AuthorizeEndpoint));
        await SignInAsync(page, flow.User.UserName!, "not the password at all");
        await Expect(page.Locator("#error")).ToContainTextAsync("incorrect");
        Assert.Equal(SignInPath, new Uri(page.Url).AbsolutePath);
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        var wrongPassword = await page.Locator("#error").InnerTextAsync();
        await SaveScreenshotAsync(page, "signin-error.png");

        // A user who does not exist gets the very same words.
        await page.GotoAsync(flow.AuthorizeUrl(server.AuthorizeEndpoint));
        await SignInAsync(page, "nobody-" + flow.User.UserName, "not the password at all");
        await Expect(page.Locator("#error")).ToHaveTextAsync(wrongPassword);

        Assert.False(browser.ClientRedirect.IsCompleted);
        Assert.DoesNotContain(await browser.Context.CookiesAsync([server.Origin]), c => c.Name == "__Host-tessera.session");
        Assert.Empty(browser.CspViolations);
    }

    [Fact]
    public async Task Consent_UserDenies_ClientGetsAccessDenied()
    {
        var flow = await ArrangeAsync();
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(flow.AuthorizeUrl(server.AuthorizeEndpoint));
        await SignInAsync(page, flow.User.UserName!, TestDirectory.Password);
        await Expect(page.Locator("#deny")).ToBeVisibleAsync();
        await page.ClickAsync("#deny");

        var response = Query(await browser.ClientRedirect.WaitAsync(RedirectTimeout));
        Assert.Equal("access_denied", response.GetValueOrDefault("error"));
        Assert.StartsWith("TSR2015", response.GetValueOrDefault("error_description"), StringComparison.Ordinal);
        Assert.Equal(flow.State, response["state"]);
        Assert.Equal(server.Authority, response["iss"]);
        Assert.False(response.ContainsKey("code"));
        Assert.Empty(browser.CspViolations);
    }

    [Fact]
    public async Task CodeFlow_FormPostResponseMode_BrowserPostsTheCodeToTheClientUnderStrictCsp()
    {
        var flow = await ArrangeAsync();
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(QueryHelpers.AddQueryString(flow.AuthorizeUrl(server.AuthorizeEndpoint), "response_mode", "form_post"));
        await SignInAsync(page, flow.User.UserName!, TestDirectory.Password);
        await page.ClickAsync("#accept");

        // OpenIddict's auto-submitting page runs only if the CSP allows its script by hash.
        await browser.ClientRedirect.WaitAsync(RedirectTimeout);
        var posted = QueryHelpers.ParseQuery(browser.ClientRedirectBody ?? string.Empty);
        Assert.False(string.IsNullOrEmpty(posted["code"]), browser.ClientRedirectBody);
        Assert.Equal(flow.State, posted["state"].ToString());
        Assert.Equal(server.Authority, posted["iss"].ToString());
        Assert.Empty(browser.CspViolations);
    }

    private async Task<CodeFlow> ArrangeAsync()
    {
        var identifier = $"api://{Guid.NewGuid():N}";
        var api = await server.Directory.RegisterApiAsync(identifier);
        var client = await server.Directory.RegisterAsync(new NewApplication(ClientName) { IsPublicClient = true, RedirectUris = [RedirectUri] });
        var user = await server.Directory.CreateUserAsync();
        return new CodeFlow(user, api, identifier, client.AppId.ToString("D"), Pkce.Create(), RandomValue(), RandomValue());
    }

    private static async Task SignInAsync(IPage page, string userName, string password)
    {
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#signin");
    }

    /// <summary>The site stylesheet applied (the CSP allows <c>style-src 'self'</c> only): the card has its rounded corners.</summary>
    private static async Task AssertStyledAsync(IPage page)
        => Assert.Equal("8px", await page.Locator("main.card").EvaluateAsync<string>("e => getComputedStyle(e).borderTopLeftRadius"));

    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name), FullPage = true });
    }

    private static Dictionary<string, string> Query(Uri redirect)
        => QueryHelpers.ParseQuery(redirect.Query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    private static string RandomValue() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    private sealed record CodeFlow(DirectoryUser User, Application Api, string ApiIdentifier, string ClientId, Pkce Pkce, string State, string Nonce)
    {
        public string AuthorizeUrl(string authorizeEndpoint) => QueryHelpers.AddQueryString(authorizeEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = $"openid profile offline_access {ApiIdentifier}/Orders.Read",
            ["state"] = State,
            ["nonce"] = Nonce,
            ["code_challenge"] = Pkce.Challenge,
            ["code_challenge_method"] = "S256",
        });
    }
}
