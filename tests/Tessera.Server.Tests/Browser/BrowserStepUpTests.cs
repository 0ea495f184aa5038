using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Mfa;
using Tessera.Server.Tests.ConditionalAccess;
using Tessera.Server.Tests.ResourceServer;
using static Microsoft.Playwright.Assertions;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// Authentication-context step-up in Chromium against an API protected by the SDK: the user enrols an authenticator app,
/// a password session gets a token the API's <c>c1</c> operation refuses with a claims challenge, the challenge's claims
/// go to the authorization endpoint, the browser is asked for the second step, and the new token opens the operation.
/// </summary>
public sealed class BrowserStepUpTests(ResourceServerFixture fixture, ChromiumFixture chromium)
    : IClassFixture<ResourceServerFixture>, IClassFixture<ChromiumFixture>
{
    private static readonly TimeSpan RedirectTimeout = TimeSpan.FromSeconds(15);
    private TesseraServerFixture Server => fixture.Server;

    [Fact]
    public async Task StepUp_ApiChallengesForC1_BrowserAsksForSecondStep_NewTokenOpensTheOperation()
    {
        var user = await Server.Directory.CreateUserAsync();
        await ConditionalAccessSetup.RequireMfaForContextAsync(Server, "c1", user.Id);
        await using var browser = await chromium.NewSessionAsync(fixture.WebClient.Redirect, trustTestCertificate: true);
        var page = browser.Page;

        // Signed in with a password, then an authenticator app added: the session stays single-factor.
        await page.GotoAsync($"{Server.TenantBase}/account/signin?returnUrl={Uri.EscapeDataString($"/{Server.TenantId:D}/account/security-info")}");
        await page.FillAsync("#username", user.UserName!);
        await page.FillAsync("#password", TestDirectory.Password);
        await page.ClickAsync("#signin");
        await page.ClickAsync("#set-up-authenticator");
        var key = (await page.Locator("#shared-key").InnerTextAsync()).Replace(" ", string.Empty, StringComparison.Ordinal);
        var used = SecurityInfoPages.UsedCodes(key);
        await page.FillAsync("#code", Totp.Unused(key, used));
        await page.ClickAsync("#confirm");
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);

        var scope = $"openid profile offline_access {fixture.Identifier}/Orders.Read";
        var first = await AuthorizeAsync(browser, scope, claims: null);
        using var challenged = await fixture.Api.GetAsync("/step-up", first.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        var header = Assert.Single(challenged.Headers.GetValues("WWW-Authenticate"));
        Assert.Contains("error=\"insufficient_claims\"", header, StringComparison.Ordinal);
        var encoded = header[(header.IndexOf("claims=\"", StringComparison.Ordinal) + 8)..^1];
        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));

        var stepped = await AuthorizeAsync(browser, scope, claims, secondStep: async () =>
        {
            // Conditional Access sends the browser back to sign-in, which asks for what the session lacks.
            await page.WaitForLoadStateAsync();
            if (await page.Locator("#password").IsVisibleAsync())
            {
                await page.FillAsync("#password", TestDirectory.Password);
                await page.ClickAsync("#signin");
            }

            await Expect(page.Locator("#two-factor")).ToBeVisibleAsync();
            await page.FillAsync("#code", Totp.Unused(key, used));
            await page.ClickAsync("#verify");
        });

        Assert.Equal(["c1"], stepped.Access.GetPayloadValue<string[]>("acrs"));
        Assert.Contains("mfa", stepped.Access.GetPayloadValue<string[]>("amr"));
        using var answered = await fixture.Api.GetAsync("/step-up", stepped.AccessToken);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Empty(browser.CspViolations);
    }

    /// <summary>Sends the browser to the authorization endpoint, through any second step and consent, and redeems the code.</summary>
    private async Task<TokenResponse> AuthorizeAsync(BrowserSession browser, string scope, string? claims, Func<Task>? secondStep = null)
    {
        var pkce = Pkce.Create();
        var redirected = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRequest(object? sender, IRequest request)
        {
            if (request.Url.StartsWith(fixture.WebClient.Redirect + "?", StringComparison.Ordinal))
            {
                redirected.TrySetResult(new Uri(request.Url));
            }
        }

        browser.Page.Request += OnRequest;
        try
        {
            var extra = claims is null ? null : new Dictionary<string, string?> { ["claims"] = claims };
            await browser.Page.GotoAsync(fixture.WebClient.AuthorizeUrl(pkce, scope, extra: extra));
            if (secondStep is not null)
            {
                await secondStep();
            }

            // The consent page, if the user has not consented yet; then the code comes back.
            var deadline = DateTime.UtcNow + RedirectTimeout;
            while (!redirected.Task.IsCompleted && DateTime.UtcNow < deadline)
            {
                if (await browser.Page.Locator("#accept").IsVisibleAsync())
                {
                    await browser.Page.ClickAsync("#accept");
                }

                await Task.WhenAny(redirected.Task, Task.Delay(100));
            }

            var callback = await redirected.Task.WaitAsync(TimeSpan.FromSeconds(1));
            var query = QueryHelpers.ParseQuery(callback.Query);
            Assert.False(query.ContainsKey("error"), query.GetValueOrDefault("error_description").ToString());
            using var http = Server.CreateHttpClient();
            var tokens = await fixture.WebClient.RedeemAsync(http, query["code"].ToString(), pkce.Verifier);
            tokens.AssertSuccess();
            return tokens;
        }
        finally
        {
            browser.Page.Request -= OnRequest;
        }
    }
}
