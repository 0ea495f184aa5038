using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// Sessions as a person meets them in Debian's Chromium: two browsers signed in as the same user; from one, the
/// Sessions page lists both and "Sign out everywhere" ends both, and the application's refresh token with them.
/// </summary>
public sealed class BrowserSessionTests(TesseraServerFixture server, ChromiumFixture chromium)
    : IClassFixture<TesseraServerFixture>, IClassFixture<ChromiumFixture>
{
    private const string RedirectUri = "http://127.0.0.1:47614/callback";
    private static readonly TimeSpan RedirectTimeout = TimeSpan.FromSeconds(15);

    private string SessionsUrl => $"{server.TenantBase}/account/sessions";

    [Fact]
    public async Task SignOutEverywhere_FromOneBrowser_TheOtherIsSignedOutAndTheAppsRefreshTokenFails()
    {
        var user = await server.Directory.CreateUserAsync();
        var app = await server.Directory.RegisterAsync(new NewApplication("Sessions test app " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = true,
            RedirectUris = [RedirectUri],
        });
        var clientId = app.AppId.ToString("D");

        // Browser A signs in to the application and the application keeps a refresh token.
        await using var first = await chromium.NewSessionAsync(RedirectUri);
        var pkce = Pkce.Create();
        await first.Page.GotoAsync(QueryHelpers.AddQueryString(server.AuthorizeEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid profile offline_access",
            ["state"] = "s",
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
        }));
        await SignInAsync(first.Page, user.UserName!);
        var consent = first.Page.Locator("#accept");
        var redirected = first.ClientRedirect;
        if (await Task.WhenAny(redirected, consent.WaitForAsync(new() { Timeout = 5_000 })) != redirected)
        {
            await consent.ClickAsync();
        }

        var code = QueryHelpers.ParseQuery((await redirected.WaitAsync(RedirectTimeout)).Query)["code"].ToString();
        using var http = server.CreateHttpClient();
        var tokens = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "authorization_code"), ("client_id", clientId), ("code", code), ("redirect_uri", RedirectUri), ("code_verifier", pkce.Verifier));
        tokens.AssertSuccess();

        // Browser B signs in on the sign-in page alone and lands on the signed-in page, which links to the sessions.
        await using var second = await chromium.NewSessionAsync(RedirectUri);
        await second.Page.GotoAsync($"{server.TenantBase}/account/signin");
        await SignInAsync(second.Page, user.UserName!);
        await Expect(second.Page.Locator("#sessions-link")).ToBeVisibleAsync();
        await second.Page.ClickAsync("#sessions-link");
        Assert.Equal(new Uri(SessionsUrl).AbsolutePath, new Uri(second.Page.Url).AbsolutePath);

        // Both sessions are listed; this browser's is marked.
        await Expect(second.Page.Locator("#sessions > li")).ToHaveCountAsync(2);
        await Expect(second.Page.Locator("#sessions > li.current .current-marker")).ToHaveTextAsync("This browser");
        await Expect(second.Page.Locator("#sessions > li.current")).ToContainTextAsync("Chrome on Linux");

        // A still works before.
        await first.Page.GotoAsync(SessionsUrl);
        await Expect(first.Page.Locator("#everywhere")).ToBeVisibleAsync();

        await second.Page.ClickAsync("#everywhere");
        await Expect(second.Page.Locator("h1")).ToHaveTextAsync("You have signed out");

        // A is signed out at its next request, and so is B.
        await first.Page.GotoAsync(SessionsUrl);
        await Expect(first.Page.Locator("#signin")).ToBeVisibleAsync();
        await second.Page.GotoAsync(SessionsUrl);
        await Expect(second.Page.Locator("#signin")).ToBeVisibleAsync();

        // The application's refresh token is dead too.
        (await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "refresh_token"), ("client_id", clientId), ("refresh_token", tokens.RefreshToken!))).AssertError("invalid_grant");

        Assert.Empty(first.CspViolations);
        Assert.Empty(second.CspViolations);
    }

    [Fact]
    public async Task SignOutOne_OtherBrowsersSession_OnlyThatBrowserIsSignedOut()
    {
        var user = await server.Directory.CreateUserAsync();
        await using var first = await chromium.NewSessionAsync(RedirectUri);
        await using var second = await chromium.NewSessionAsync(RedirectUri);
        foreach (var browser in new[] { first, second })
        {
            await browser.Page.GotoAsync($"{server.TenantBase}/account/signin");
            await SignInAsync(browser.Page, user.UserName!);
            await Expect(browser.Page.Locator("#sessions-link")).ToBeVisibleAsync();
        }

        await first.Page.GotoAsync(SessionsUrl);
        await first.Page.Locator("#sessions > li:not(.current) .end-session").ClickAsync();
        await Expect(first.Page.Locator("#notice")).ToHaveTextAsync("That session is signed out.");
        await Expect(first.Page.Locator("#sessions > li")).ToHaveCountAsync(1);

        await second.Page.GotoAsync(SessionsUrl);
        await Expect(second.Page.Locator("#signin")).ToBeVisibleAsync();
        await first.Page.ReloadAsync();
        await Expect(first.Page.Locator("#everywhere")).ToBeVisibleAsync();
    }

    private static async Task SignInAsync(IPage page, string userName)
    {
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", TestDirectory.Password);
        await page.ClickAsync("#signin");
    }
}
