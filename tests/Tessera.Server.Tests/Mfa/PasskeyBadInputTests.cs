using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Mfa;

/// <summary>
/// What passkey sign-in and registration do with input no authenticator made: forged or oversized credentials,
/// ceremonies never started or started in another browser, options of one kind answered as the other, forged
/// requests without the anti-forgery token, and bad names and ids on Security info. (Real passkeys, including a
/// tampered signature, are in <c>BrowserMfaTests</c>.)
/// </summary>
public sealed class PasskeyBadInputTests(MfaServerFixture server) : IClassFixture<MfaServerFixture>
{
    private const string ForgedAssertion = """
        {"id":"AAAA","rawId":"AAAA","type":"public-key","clientExtensionResults":{},
         "response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA","userHandle":"AAAA"}}
        """;

    private string SignInUrl => SecurityInfoPages.SignIn(server);

    [Fact]
    public async Task PasskeyOptions_SignInPage_DiscoverableRequestForThisSite()
    {
        using var browser = new UserAgent(server);
        var (status, json) = await PasskeyOptionsAsync(browser, SignInUrl);
        Assert.Equal(HttpStatusCode.OK, status);
        var options = JsonDocument.Parse(json).RootElement;
        Assert.Equal("127.0.0.1", options.GetProperty("rpId").GetString());
        Assert.Equal("required", options.GetProperty("userVerification").GetString());
        Assert.True(options.GetProperty("challenge").GetString()!.Length >= 43);
        Assert.False(options.TryGetProperty("allowCredentials", out var allowed) && allowed.GetArrayLength() > 0);
    }

    [Theory]
    [InlineData(ForgedAssertion)]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"id":"","response":null}""")]
    public async Task PasskeySignIn_ForgedCredential_RefusedAndLogged(string credential)
    {
        using var browser = new UserAgent(server);
        await PasskeyOptionsAsync(browser, SignInUrl);
        var before = await FailuresAsync();

        var body = await PostPasskeyAsync(browser, credential);

        Assert.Contains("TSR5204", body, StringComparison.Ordinal);
        Assert.DoesNotContain("__Host-tessera.session", browser.Cookies.Keys);
        Assert.True(await FailuresAsync() > before, "The failed passkey sign-in was not logged.");
    }

    [Fact]
    public async Task PasskeySignIn_NoCeremonyStarted_Refused()
    {
        using var browser = new UserAgent(server);
        var body = await PostPasskeyAsync(browser, ForgedAssertion);
        Assert.Contains("TSR5204", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasskeySignIn_OptionsOfAnotherBrowser_Refused()
    {
        using var victim = new UserAgent(server);
        await PasskeyOptionsAsync(victim, SignInUrl);
        using var attacker = new UserAgent(server);
        var body = await PostPasskeyAsync(attacker, ForgedAssertion);
        Assert.Contains("TSR5204", body, StringComparison.Ordinal);
        Assert.DoesNotContain("__Host-tessera.session", attacker.Cookies.Keys);
    }

    [Fact]
    public async Task PasskeySignIn_OversizedCredential_RefusedWithoutParsing()
    {
        using var browser = new UserAgent(server);
        await PasskeyOptionsAsync(browser, SignInUrl);
        var page = await browser.SendAsync(HttpMethod.Get, SignInUrl);

        // Past the form limit of every page: refused before any handler runs.
        var response = await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(), [new("Credential", new string('a', 20_000))], $"{SignInUrl}?handler=passkey");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("__Host-tessera.session", browser.Cookies.Keys);
    }

    [Fact]
    public async Task PasskeyOptions_WithoutAntiforgeryToken_Refused()
    {
        using var browser = new UserAgent(server);
        var response = await browser.SendAsync(HttpMethod.Post, $"{SignInUrl}?handler=passkeyOptions", []);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AddPasskey_AnsweringSignInOptions_Refused()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);

        // Sign-in (assertion) options in this browser, then an answer posted as a registration.
        await PasskeyOptionsAsync(browser, SignInUrl);
        var (response, body) = await SecurityInfoPages.PostAsync(browser, server, "addPasskey", ("Name", "Mine"), ("Credential", ForgedAssertion));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("TSR5205", body, StringComparison.Ordinal);

        // Registration options of this user, answered with a forged credential.
        var (status, _) = await PasskeyOptionsAsync(browser, SecurityInfoPages.SecurityInfo(server));
        Assert.Equal(HttpStatusCode.OK, status);
        (response, body) = await SecurityInfoPages.PostAsync(browser, server, "addPasskey", ("Name", "Mine"), ("Credential", ForgedAssertion));
        Assert.Contains("TSR5205", body, StringComparison.Ordinal);
        Assert.Equal(0, await server.Directory.QueryAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == user.Id)));
    }

    [Fact]
    public async Task PasskeyOptions_SecurityInfoLongAfterSignIn_AsksToSignInAgain()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        server.Clock.Offset = TimeSpan.FromMinutes(11);
        try
        {
            var (status, json) = await PasskeyOptionsAsync(browser, SecurityInfoPages.SecurityInfo(server));
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("/account/signin?returnUrl=", JsonDocument.Parse(json).RootElement.GetProperty("signIn").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            server.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Theory]
    [InlineData("renamePasskey", "AAAA", "New name", "TSR5207")]
    [InlineData("renamePasskey", "%%%", "New name", "TSR5207")]
    [InlineData("renamePasskey", "AAAA", "", "TSR5206")]
    [InlineData("renamePasskey", "AAAA", "a name far too long for anyone to read on a list of passkeys at a glance", "TSR5206")]
    [InlineData("removePasskey", "AAAA", "", "TSR5207")]
    [InlineData("removePasskey", "", "", "TSR5207")]
    [InlineData("recoveryCodes", "", "", "TSR5209")]
    public async Task SecurityInfo_BadInput_ClearErrorAndNoChange(string handler, string passkeyId, string name, string code)
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        var (response, body) = await SecurityInfoPages.PostAsync(browser, server, handler, ("PasskeyId", passkeyId), ("Name", name));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(code, body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Json)> PasskeyOptionsAsync(UserAgent browser, string pageUrl)
    {
        var page = await browser.SendAsync(HttpMethod.Get, pageUrl);
        var body = await page.Content.ReadAsStringAsync();
        var response = await browser.SubmitAsync(page, body, [], $"{pageUrl}?handler=passkeyOptions");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> PostPasskeyAsync(UserAgent browser, string credential)
    {
        var page = await browser.SendAsync(HttpMethod.Get, SignInUrl);
        var response = await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(), [new("Credential", credential)], $"{SignInUrl}?handler=passkey");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<int> FailuresAsync()
    {
        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        return await server.Directory.QueryAsync(db => db.SignInEvents.CountAsync(e => e.TenantId == server.TenantId && e.FailureReason == SignInStatus.PasskeyFailed.FailureReason));
    }
}
