using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Mfa;
using static Microsoft.Playwright.Assertions;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// Passkeys and the authenticator app in Debian's Chromium. Passkeys need a host name (an IP address cannot be a
/// WebAuthn relying party id), so the browser talks to the server as <c>localhost</c>; a virtual authenticator
/// (Chrome DevTools Protocol, <c>WebAuthn.addVirtualAuthenticator</c>: CTAP2, built-in, resident keys, user
/// verification) stands in for the device's own.
/// </summary>
public sealed class BrowserMfaTests(TesseraServerFixture server, ChromiumFixture chromium)
    : IClassFixture<TesseraServerFixture>, IClassFixture<ChromiumFixture>
{
    private const string RedirectUri = "http://127.0.0.1:47614/callback";
    private static readonly TimeSpan RedirectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The server as the browser sees it: by host name.</summary>
    private string Origin => server.Origin.Replace("://127.0.0.1:", "://localhost:", StringComparison.Ordinal);

    private string TenantBase => $"{Origin}/{server.TenantId:D}";

    [Fact]
    public async Task Passkey_RegisteredOnSecurityInfo_SignsInWithoutPassword_PhishingResistantTokens()
    {
        var user = await server.Directory.CreateUserAsync();
        var clientId = await RegisterClientAsync();
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;
        await AddVirtualAuthenticatorAsync(browser);

        // Register: sign in with the password, then add a passkey on Security info.
        await page.GotoAsync($"{TenantBase}/account/signin?returnUrl={Uri.EscapeDataString($"/{server.TenantId:D}/account/security-info")}");
        await SignInWithPasswordAsync(page, user.UserName!);
        await Expect(page.Locator("#no-passkeys")).ToBeVisibleAsync();
        await page.FillAsync("#passkey-name", "Test laptop");
        await page.ClickAsync("#add-passkey-button");
        await Expect(page.Locator("#message")).ToContainTextAsync("Your passkey was added");
        await Expect(page.Locator("#passkeys .passkey-name")).ToHaveTextAsync("Test laptop");
        await Expect(page.Locator("#passkeys")).ToContainTextAsync("not used yet");

        // Sign out (a new browser session, same authenticator). A real assertion with its signature altered on the way
        // is refused.
        await browser.Context.ClearCookiesAsync();
        await page.GotoAsync($"{TenantBase}/account/signin");
        await page.RouteAsync("**/account/signin?handler=passkey", async route =>
        {
            var form = QueryHelpers.ParseQuery(route.Request.PostData!);
            var credential = System.Text.Json.Nodes.JsonNode.Parse(form["Credential"].ToString())!;
            var signature = Base64UrlEncoder.DecodeBytes(credential["response"]!["signature"]!.GetValue<string>());
            signature[^1] ^= 0x01;
            credential["response"]!["signature"] = Base64UrlEncoder.Encode(signature);
            var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
            fields["Credential"] = credential.ToJsonString();
            await route.ContinueAsync(new() { PostData = System.Text.Encoding.UTF8.GetBytes(await new FormUrlEncodedContent(fields).ReadAsStringAsync()) });
        });
        await page.ClickAsync("#passkey-signin");
        await Expect(page.Locator("#error")).ToContainTextAsync("TSR5204");
        await page.UnrouteAllAsync();

        // Untouched, the passkey alone signs in.
        var pkce = Pkce.Create();
        await page.GotoAsync(AuthorizeUrl(clientId, pkce));
        await Expect(page.Locator("#passkey-signin")).ToBeVisibleAsync();
        await page.ClickAsync("#passkey-signin");
        await Expect(page.Locator("#accept")).ToBeVisibleAsync();
        await page.ClickAsync("#accept");
        var tokens = await RedeemAsync(browser, clientId, pkce);

        var id = new JsonWebToken(tokens.IdToken);
        Assert.Equal(user.Id.ToString("D"), id.Subject);
        Assert.Equal(["fido", "mfa"], id.GetPayloadValue<List<string>>("amr"));
        Assert.Equal("urn:tessera:acr:phishing-resistant-mfa", id.GetClaim("acr").Value);
        Assert.Equal("urn:tessera:acr:phishing-resistant-mfa", tokens.Access.GetClaim("acr").Value);

        // An application asking for phishing-resistant MFA gets a code without a new sign-in (asked with the browser's cookies).
        var stepUp = Pkce.Create();
        var cookies = await browser.Context.CookiesAsync([Origin]);
        using (var http = server.CreateHttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl(clientId, stepUp, "urn:tessera:acr:phishing-resistant-mfa")))
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
            using var response = await http.SendAsync(request);
            var location = response.Headers.Location?.ToString() ?? string.Empty;
            Assert.StartsWith(RedirectUri + "?", location, StringComparison.Ordinal);
            var code = QueryHelpers.ParseQuery(new Uri(location).Query)["code"].ToString();
            var stepped = await TokenClient.PostAsync(http, $"{TenantBase}/oauth2/v2.0/token",
                ("grant_type", "authorization_code"), ("client_id", clientId), ("code", code), ("redirect_uri", RedirectUri), ("code_verifier", stepUp.Verifier));
            stepped.AssertSuccess();
            Assert.Equal("urn:tessera:acr:phishing-resistant-mfa", stepped.Access.GetClaim("acr").Value);
        }

        // Security info shows when it was used; removing it takes it off the list.
        await page.GotoAsync($"{TenantBase}/account/security-info");
        await Expect(page.Locator("#passkeys")).ToContainTextAsync("last used");
        await page.ClickAsync("#passkeys button.remove");
        await Expect(page.Locator("#message")).ToContainTextAsync("The passkey was removed");
        await Expect(page.Locator("#no-passkeys")).ToBeVisibleAsync();

        // The removed passkey no longer signs anyone in.
        await browser.Context.ClearCookiesAsync();
        await page.GotoAsync($"{TenantBase}/account/signin");
        await page.ClickAsync("#passkey-signin");
        await Expect(page.Locator("#error")).ToContainTextAsync("TSR5204");

        Assert.Empty(browser.CspViolations);
    }

    [Fact]
    public async Task PasswordAndAuthenticatorApp_QrCodeEnrolment_SecondStepAtSignIn()
    {
        var user = await server.Directory.CreateUserAsync();
        var clientId = await RegisterClientAsync();
        await using var browser = await chromium.NewSessionAsync(RedirectUri);
        var page = browser.Page;

        await page.GotoAsync($"{TenantBase}/account/signin?returnUrl={Uri.EscapeDataString($"/{server.TenantId:D}/account/security-info")}");
        await SignInWithPasswordAsync(page, user.UserName!);
        await page.ClickAsync("#set-up-authenticator");
        await Expect(page.Locator("#qr-code")).ToBeVisibleAsync();
        Assert.True(await page.Locator("#qr-code").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"), "The QR code image did not render.");
        var key = (await page.Locator("#shared-key").InnerTextAsync()).Replace(" ", string.Empty, StringComparison.Ordinal);
        var used = SecurityInfoPages.UsedCodes(key);
        await page.FillAsync("#code", Totp.Unused(key, used));
        await page.ClickAsync("#confirm");
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);
        await Expect(page.Locator("#authenticator-on")).ToContainTextAsync("10 recovery codes left");

        await browser.Context.ClearCookiesAsync();
        var pkce = Pkce.Create();
        await page.GotoAsync(AuthorizeUrl(clientId, pkce));
        await SignInWithPasswordAsync(page, user.UserName!);
        await Expect(page.Locator("#two-factor")).ToBeVisibleAsync();
        await page.FillAsync("#code", "000000");
        await page.ClickAsync("#verify");
        await Expect(page.Locator("#error")).ToContainTextAsync("TSR5201");
        await page.FillAsync("#code", Totp.Unused(key, used));
        await page.ClickAsync("#verify");
        await Expect(page.Locator("#accept")).ToBeVisibleAsync();
        await page.ClickAsync("#accept");
        var tokens = await RedeemAsync(browser, clientId, pkce);
        Assert.Equal(["pwd", "otp", "mfa"], tokens.Access.GetPayloadValue<List<string>>("amr"));
        Assert.Equal("urn:tessera:acr:mfa", tokens.Access.GetClaim("acr").Value);
        Assert.Empty(browser.CspViolations);
    }

    private static async Task AddVirtualAuthenticatorAsync(BrowserSession browser)
    {
        var cdp = await browser.Context.NewCDPSessionAsync(browser.Page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
    }

    private async Task<string> RegisterClientAsync()
    {
        var client = await server.Directory.RegisterAsync(new NewApplication("MFA browser client") { IsPublicClient = true, RedirectUris = [RedirectUri] });
        return client.AppId.ToString("D");
    }

    private string AuthorizeUrl(string clientId, Pkce pkce, string? acrValues = null)
        => QueryHelpers.AddQueryString($"{TenantBase}/oauth2/v2.0/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid profile",
            ["state"] = "s",
            ["nonce"] = "n",
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
            ["acr_values"] = acrValues,
        });

    private static async Task SignInWithPasswordAsync(IPage page, string userName)
    {
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", TestDirectory.Password);
        await page.ClickAsync("#signin");
    }

    /// <summary>Redeems the code the browser was last sent to the redirect URI with, at the origin the browser used.</summary>
    private async Task<TokenResponse> RedeemAsync(BrowserSession browser, string clientId, Pkce pkce)
    {
        await browser.Page.WaitForURLAsync(url => url.StartsWith(RedirectUri + "?", StringComparison.Ordinal), new() { Timeout = (float)RedirectTimeout.TotalMilliseconds });
        var query = QueryHelpers.ParseQuery(new Uri(browser.Page.Url).Query);
        Assert.False(query.ContainsKey("error"), query.GetValueOrDefault("error_description").ToString());
        using var http = server.CreateHttpClient();
        var tokens = await TokenClient.PostAsync(http, $"{TenantBase}/oauth2/v2.0/token",
            ("grant_type", "authorization_code"), ("client_id", clientId), ("code", query["code"].ToString()), ("redirect_uri", RedirectUri),
            ("code_verifier", pkce.Verifier));
        tokens.AssertSuccess();
        return tokens;
    }
}
