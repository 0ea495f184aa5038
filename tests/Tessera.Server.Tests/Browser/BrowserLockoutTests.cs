using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Protection;
using static Microsoft.Playwright.Assertions;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// Smart lockout as a person meets it in Chromium: wrong passwords until the account is locked, the right password
/// refused with the same words while it is, and signed in once the (short, configured) lockout has passed.
/// </summary>
public sealed class BrowserLockoutTests(TesseraServerFixture server, ChromiumFixture chromium)
    : IClassFixture<TesseraServerFixture>, IClassFixture<ChromiumFixture>
{
    private const string Refused = "The user name or password is incorrect.";

    [Fact]
    public async Task Lockout_ThenRecovery_SignedInAfterTheLockoutDuration()
    {
        await SignInProtectionSetup.SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 5 });
        var user = await server.Directory.CreateUserAsync();
        await using var browser = await chromium.NewSessionAsync("http://127.0.0.1:47614/callback");
        var page = browser.Page;
        await page.GotoAsync($"{server.TenantBase}/account/signin");

        foreach (var guess in new[] { "not my password", "still not it", "third wrong one" })
        {
            await SignInAsync(page, user.UserName!, guess);
            await Expect(page.Locator("#error")).ToContainTextAsync(Refused);
        }

        // Locked: the right password gets the very same answer.
        await SignInAsync(page, user.UserName!, TestDirectory.Password);
        await Expect(page.Locator("#error")).ToContainTextAsync(Refused);
        Assert.EndsWith("/account/signin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        // After the lockout duration the person gets in.
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        await SignInAsync(page, user.UserName!, TestDirectory.Password);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.EndsWith("/account/signedin", StringComparison.Ordinal));

        var events = await SignInProtectionSetup.SignInsAsync(server, $"userId eq '{user.Id}'");
        var codes = events.Select(e => e!["status"]!["errorCode"]!.GetValue<int>()).ToList();
        Assert.Equal([0, 50053, 50126, 50126, 50126], codes); // newest first
        Assert.Empty(browser.CspViolations);
    }

    private static async Task SignInAsync(Microsoft.Playwright.IPage page, string userName, string password)
    {
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#signin");
        await page.WaitForLoadStateAsync();
    }
}
