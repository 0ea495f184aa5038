using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Tenants;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// Consent as a person meets it in Chromium: the risk of each permission, the publisher, granting, asking an
/// administrator when the tenant's policy does not let the user grant, and revoking from "My apps".
/// </summary>
public sealed class BrowserConsentTests(TesseraServerFixture server, ChromiumFixture chromium)
    : IClassFixture<TesseraServerFixture>, IClassFixture<ChromiumFixture>
{
    private const string RedirectUri = "http://127.0.0.1:47614/callback";
    private static readonly TimeSpan RedirectTimeout = TimeSpan.FromSeconds(15);

    private async Task<(Application Client, string Identifier, Tessera.Directory.Users.DirectoryUser User)> ArrangeAsync(string policy)
    {
        await server.Directory.SetUserConsentPolicyAsync(policy);
        var identifier = $"api://{Guid.NewGuid():N}";
        await server.Directory.RegisterApiAsync(identifier);
        var client = await server.Directory.RegisterAsync(new NewApplication("Consent browser client " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = true,
            RedirectUris = [RedirectUri],
        });
        return (client, identifier, await server.Directory.CreateUserAsync());
    }

    private string AuthorizeUrl(Application client, string scope)
        => QueryHelpers.AddQueryString(server.AuthorizeEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = client.AppId.ToString("D"),
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = scope,
            ["state"] = "s1",
            ["code_challenge"] = Pkce.Create().Challenge,
            ["code_challenge_method"] = "S256",
        });

    private static async Task SignInAsync(Microsoft.Playwright.IPage page, string userName)
    {
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", TestDirectory.Password);
        await page.ClickAsync("#signin");
    }

    [Fact]
    public async Task Consent_GrantThenRevokeOnMyApps_AppLosesItsPermissions()
    {
        var (client, identifier, user) = await ArrangeAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(AuthorizeUrl(client, $"openid {identifier}/Orders.Read"));
        await SignInAsync(page, user.UserName!);
        await Expect(page.Locator("#publisher")).ToContainTextAsync("Registered by your organisation");
        await Expect(page.Locator("li[data-scope='Orders.Read']")).ToContainTextAsync("Low risk");
        await page.ClickAsync("#accept");
        var redirect = QueryHelpers.ParseQuery((await browser.ClientRedirect.WaitAsync(RedirectTimeout)).Query);
        Assert.False(string.IsNullOrEmpty(redirect["code"]));

        // A new tab of the same browser session: the first is still busy landing on the client's redirect URI.
        page = await browser.Context.NewPageAsync();
        await page.GotoAsync($"{server.TenantBase}/myapps");
        var app = page.Locator($"li[data-client='{client.AppId:D}']");
        await Expect(app).ToContainTextAsync(client.DisplayName);
        await Expect(app).ToContainTextAsync("Orders.Read");
        await app.Locator("button.revoke").ClickAsync();

        await Expect(page.Locator("#revoked")).ToContainTextAsync(client.DisplayName);
        await Expect(page.Locator($"li[data-client='{client.AppId:D}']")).ToHaveCountAsync(0);
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.PrincipalId == user.Id)));
        Assert.Empty(browser.CspViolations);
    }

    [Fact]
    public async Task Consent_TenantLetsOnlyAdminsGrant_UserRequestsApproval_ClientToldToWait()
    {
        var (client, identifier, user) = await ArrangeAsync(UserConsentPolicies.None);
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(AuthorizeUrl(client, $"openid {identifier}/Orders.Read"));
        await SignInAsync(page, user.UserName!);
        await Expect(page.Locator("#needs-admin")).ToContainTextAsync("only administrators grant");
        await Expect(page.Locator("#accept")).ToHaveCountAsync(0);
        await page.FillAsync("#reason", "Quarterly reporting");
        await page.ClickAsync("#request-approval");

        var redirect = QueryHelpers.ParseQuery((await browser.ClientRedirect.WaitAsync(RedirectTimeout)).Query);
        Assert.Equal("access_denied", redirect["error"].ToString());
        Assert.StartsWith("TSR2038", redirect["error_description"].ToString(), StringComparison.Ordinal);
        Assert.True(await server.Directory.QueryAsync(db => db.AdminConsentRequests.AnyAsync(r => r.RequestedById == user.Id && r.Reason == "Quarterly reporting")));
    }

    [Fact]
    public async Task Consent_UnverifiedMultitenantApp_WarnedAndBlockedUnderTheDefaultPolicy()
    {
        var (client, identifier, user) = await ArrangeAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == client.AppId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.SignInAudience, SignInAudiences.MultiTenant)));
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync(AuthorizeUrl(client, $"openid {identifier}/Orders.Read"));
        await SignInAsync(page, user.UserName!);

        await Expect(page.Locator("#publisher")).ToContainTextAsync("Unverified publisher");
        await Expect(page.Locator("#needs-admin")).ToContainTextAsync("publisher is not verified");
        await page.ClickAsync("#deny");
        var redirect = QueryHelpers.ParseQuery((await browser.ClientRedirect.WaitAsync(RedirectTimeout)).Query);
        Assert.Equal("access_denied", redirect["error"].ToString());
    }
}
