using Microsoft.AspNetCore.Identity;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Audit;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Mfa;

/// <summary>A server whose clock the MFA tests can move ahead (the authenticator codes stay on real time).</summary>
public sealed class MfaServerFixture : TesseraServerFixture
{
    public ShiftedClock Clock { get; } = new();

    protected override void OverrideServices(IServiceCollection services)
        => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>Real time plus an offset the test sets.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + Offset;
}

/// <summary>
/// Password and authenticator app (TOTP) end to end over HTTP: set up on the Security info page, the second step at
/// sign-in, the tokens' amr and acr, recovery codes, reuse and wrong codes, the recent sign-in rule, acr_values step-up.
/// </summary>
public sealed class TwoFactorTests(MfaServerFixture server) : IClassFixture<MfaServerFixture>
{
    private const string MfaAcr = "urn:tessera:acr:mfa";

    [Fact]
    public async Task PasswordAndAuthenticatorApp_CodeFlow_TokensCarryOtpAmrAndMfaAcr()
    {
        var user = await server.Directory.CreateUserAsync();
        var key = await EnrolAsync(user.UserName!);
        var client = await CodeFlowClient.RegisterAsync(server);
        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);

        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce), user.UserName, secondFactor: () => Totp.Unused(key, SecurityInfoPages.UsedCodes(key)));

        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText[Math.Max(0, outcome.ErrorText.IndexOf("<main", StringComparison.Ordinal))..]);
        Assert.Contains(browser.History, h => h.Url.Contains("/account/two-factor", StringComparison.Ordinal));
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
        tokens.AssertSuccess();
        var id = new JsonWebToken(tokens.IdToken);
        Assert.Equal(["pwd", "otp", "mfa"], Amr(id));
        Assert.Equal(MfaAcr, id.GetClaim("acr").Value);
        Assert.Equal(["pwd", "otp", "mfa"], Amr(tokens.Access));
        Assert.Equal(MfaAcr, tokens.Access.GetClaim("acr").Value);

        // A refreshed token keeps how the user signed in.
        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);
        refreshed.AssertSuccess();
        Assert.Equal(MfaAcr, refreshed.Access.GetClaim("acr").Value);

        var logged = await SignInsAsync(user.Id);
        Assert.Contains(logged, e => e.ErrorCode == 50074 && e.FailureReason == "Strong authentication is required");
        Assert.Contains(logged, e => e.ErrorCode == 0 && e.AuthenticationMethods == "Password, Authenticator app");
    }

    [Fact]
    public async Task AuthenticatorKey_AtRest_EncryptedNotAsShown()
    {
        var user = await server.Directory.CreateUserAsync();
        var key = await EnrolAsync(user.UserName!);

        var stored = await server.Directory.QueryAsync(db => db.Set<IdentityUserToken<Guid>>().AsNoTracking()
            .Where(t => t.UserId == user.Id && t.Name == "AuthenticatorKey").Select(t => t.Value).SingleAsync());

        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(key.Replace(" ", string.Empty, StringComparison.Ordinal), stored!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PasswordOnly_CodeFlow_TokensCarryPwdAndPasswordAcr()
    {
        var (_, _, tokens, browser) = await BrowserSignIn.StartAsync(server);
        using (browser)
        {
            Assert.Equal(["pwd"], Amr(tokens.Access));
            Assert.Equal("urn:tessera:acr:password", tokens.Access.GetClaim("acr").Value);
            Assert.Equal("urn:tessera:acr:password", new JsonWebToken(tokens.IdToken).GetClaim("acr").Value);
        }
    }

    [Fact]
    public async Task AuthenticatorCode_WrongThenReused_RefusedAndLogged()
    {
        var user = await server.Directory.CreateUserAsync();
        var key = await EnrolAsync(user.UserName!);
        using var browser = new UserAgent(server);
        var (_, twoFactor) = await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        Assert.Contains("id=\"two-factor\"", twoFactor, StringComparison.Ordinal);

        // Wrong code, then garbage, then a code of an hour ago (expired): all refused with the same sentence.
        foreach (var bad in new[] { Wrong(Totp.Now(key)), "12ab56", "", new string('9', 500), Totp.Code(key, DateTimeOffset.UtcNow.AddHours(-1)) })
        {
            var (response, body) = await SubmitTwoFactorAsync(browser, "Code", bad);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("TSR5201", body, StringComparison.Ordinal);
        }

        // The code the user typed at enrolment, a moment ago, is spent: the second step refuses it.
        var (reused, reusedBody) = await SubmitTwoFactorAsync(browser, "Code", LastEnrolmentCode!);
        Assert.Contains("TSR5201", reusedBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);

        var failures = (await SignInsAsync(user.Id)).Where(e => e.ErrorCode == 500121).ToList();
        Assert.True(failures.Count >= 5, $"{failures.Count} MFA failures logged");
        Assert.All(failures, e => Assert.Equal("Authentication failed during strong authentication request", e.FailureReason));
    }

    [Fact]
    public async Task AuthenticatorCode_TooManyWrong_LocksTheAccountEvenForTheRightCode()
    {
        var user = await server.Directory.CreateUserAsync();
        var key = await EnrolAsync(user.UserName!);
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        for (var i = 0; i < 10; i++)
        {
            await SubmitTwoFactorAsync(browser, "Code", Wrong(Totp.Now(key)));
        }

        var (_, body) = await SubmitTwoFactorAsync(browser, "Code", Totp.Unused(key, SecurityInfoPages.UsedCodes(key)));

        Assert.Contains("TSR5201", body, StringComparison.Ordinal);
        Assert.DoesNotContain("__Host-tessera.session", browser.Cookies.Keys);
        Assert.Contains(await SignInsAsync(user.Id), e => e.ErrorCode == 50053);
    }

    [Fact]
    public async Task RecoveryCode_SignsInOnce_AmrPwdMfa()
    {
        var user = await server.Directory.CreateUserAsync();
        var (_, codes) = await EnrolWithCodesAsync(user.UserName!);
        var client = await CodeFlowClient.RegisterAsync(server);

        using (var first = new UserAgent(server))
        {
            var pkce = Pkce.Create();
            var outcome = await first.AuthorizeAsync(client.AuthorizeUrl(pkce), user.UserName);
            Assert.Contains("id=\"two-factor\"", outcome.Body, StringComparison.Ordinal);
            var response = await first.SubmitAsync(outcome.LastResponse, outcome.Body!, [new("RecoveryCode", codes[3])],
                outcome.LastResponse.RequestMessage!.RequestUri + "&handler=recovery");
            var redirect = await FollowToClientAsync(first, response);
            var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect.Query)["code"].ToString();
            using var http = server.CreateHttpClient();
            var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
            tokens.AssertSuccess();
            Assert.Equal(["pwd", "mfa"], Amr(tokens.Access));
            Assert.Equal(MfaAcr, tokens.Access.GetClaim("acr").Value);
        }

        using var second = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(second, server, user.UserName!);
        var (_, again) = await SubmitTwoFactorAsync(second, "RecoveryCode", codes[3], handler: "recovery");
        Assert.Contains("TSR5202", again, StringComparison.Ordinal);
        var (_, other) = await SubmitTwoFactorAsync(second, "RecoveryCode", codes[4].ToLowerInvariant(), handler: "recovery");
        Assert.DoesNotContain("TSR5202", other, StringComparison.Ordinal);

        // Kept as hashes: the database has none of the codes as they were shown.
        var stored = await server.Directory.QueryAsync(db => db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == user.Id && t.Name == "RecoveryCodes").Select(t => t.Value).SingleAsync());
        Assert.Equal(8, stored!.Split(';').Length);
        Assert.All(codes, code => Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(await SignInsAsync(user.Id), e => e.ErrorCode == 0 && e.AuthenticationMethods == "Password, Recovery code");
    }

    [Fact]
    public async Task TwoFactorPage_WithoutPasswordFirst_SendsToSignIn()
    {
        using var browser = new UserAgent(server);
        var response = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/account/two-factor");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecurityInfo_ChangeLongAfterSignIn_SignsInAgainAndComesBack()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        lock (server.Clock)
        {
            server.Clock.Offset = TimeSpan.FromMinutes(11);
        }

        try
        {
            var (_, page) = await SecurityInfoPages.FollowAsync(browser, await browser.SendAsync(HttpMethod.Get, SecurityInfoPages.SecurityInfo(server)));
            Assert.Contains("id=\"reauth-notice\"", page, StringComparison.Ordinal);

            var get = await browser.SendAsync(HttpMethod.Get, SecurityInfoPages.SecurityInfo(server));
            var response = await browser.SubmitAsync(get, await get.Content.ReadAsStringAsync(), [], $"{SecurityInfoPages.SecurityInfo(server)}?handler=setUpAuthenticator");
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            var location = response.Headers.Location!.ToString();
            Assert.Contains("/account/signin", location, StringComparison.Ordinal);
            Assert.Contains(Uri.EscapeDataString("/account/security-info"), location, StringComparison.Ordinal);
            Assert.False(await TwoFactorEnabledAsync(user.Id));

            // Signing in again makes the session recent: the same change now goes through.
            var signIn = await browser.SendAsync(HttpMethod.Get, new Uri(new Uri(server.Origin), location).ToString());
            var back = await browser.SubmitAsync(signIn, await signIn.Content.ReadAsStringAsync(),
                [new("UserName", user.UserName!), new("Password", TestDirectory.Password)]);
            Assert.EndsWith("/account/security-info", back.Headers.Location!.ToString(), StringComparison.Ordinal);
            var (_, setup) = await SecurityInfoPages.PostAsync(browser, server, "setUpAuthenticator");
            Assert.Contains("id=\"shared-key\"", setup, StringComparison.Ordinal);
        }
        finally
        {
            server.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task RemoveAuthenticator_LastStrongMethod_SaysPasswordAloneAndAudits()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        var (key, _) = await SecurityInfoPages.SetUpAuthenticatorAsync(browser, server);
        var (_, page) = await SecurityInfoPages.FollowAsync(browser, await browser.SendAsync(HttpMethod.Get, SecurityInfoPages.SecurityInfo(server)));
        Assert.Contains("without it you sign in with your password alone", page, StringComparison.Ordinal);

        var (_, removed) = await SecurityInfoPages.PostAsync(browser, server, "removeAuthenticator");
        Assert.Contains("you now sign in with your password alone", removed, StringComparison.Ordinal);
        Assert.Contains("id=\"authenticator-off\"", removed, StringComparison.Ordinal);
        Assert.False(await TwoFactorEnabledAsync(user.Id));

        // No second step any more, and the old app's codes are worthless.
        using var next = new UserAgent(server);
        var (_, landed) = await SecurityInfoPages.SignInAsync(next, server, user.UserName!, key: key);
        Assert.DoesNotContain("id=\"two-factor\"", landed, StringComparison.Ordinal);

        var audit = await server.Directory.QueryAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.TenantId == server.TenantId && e.TargetResources.Contains(user.Id.ToString("D")))
            .Select(e => e.ActivityDisplayName).ToListAsync());
        Assert.Contains("User registered security info", audit);
        Assert.Contains("User deleted security info", audit);
    }

    [Fact]
    public async Task SecurityInfo_PostWithoutAntiforgeryToken_Refused()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        var response = await browser.SendAsync(HttpMethod.Post, $"{SecurityInfoPages.SecurityInfo(server)}?handler=setUpAuthenticator", []);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(await TwoFactorEnabledAsync(user.Id));
    }

    [Fact]
    public async Task SecurityInfo_NotSignedIn_SendsToSignIn()
    {
        using var browser = new UserAgent(server);
        var response = await browser.SendAsync(HttpMethod.Get, SecurityInfoPages.SecurityInfo(server));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfirmAuthenticator_WrongCode_StaysOff()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        await SecurityInfoPages.PostAsync(browser, server, "setUpAuthenticator");
        var (_, body) = await SecurityInfoPages.PostAsync(browser, server, "confirmAuthenticator", ("Code", "000000"));
        Assert.Contains("TSR5201", body, StringComparison.Ordinal);
        Assert.Contains("id=\"shared-key\"", body, StringComparison.Ordinal);
        Assert.False(await TwoFactorEnabledAsync(user.Id));
    }

    [Fact]
    public async Task AcrValuesMfa_PasswordSession_SteppedUpWithAuthenticatorApp()
    {
        var user = await server.Directory.CreateUserAsync();
        var key = await EnrolAsync(user.UserName!);
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);

        // A first sign-in for a client that asks for nothing special.
        var first = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName, secondFactor: () => Totp.Unused(key, SecurityInfoPages.UsedCodes(key)));
        Assert.True(first.Query.ContainsKey("code"), first.ErrorText);

        // MFA asked for: this session already has it, so no new sign-in.
        var pkce = Pkce.Create();
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce, extra: new Dictionary<string, string?> { ["acr_values"] = MfaAcr }), userName: null);
        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);

        // Phishing-resistant asked for: the session is sent to sign in again, and the page says what is needed.
        var stronger = await browser.AuthorizeAsync(
            client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["acr_values"] = "urn:tessera:acr:phishing-resistant-mfa" }), userName: null);
        Assert.Null(stronger.Redirect);
        Assert.Contains("id=\"signin\"", stronger.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"strength-notice\"", stronger.Body, StringComparison.Ordinal);
        Assert.Contains("phishing-resistant", stronger.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcrValuesMfa_PasswordOnlyUser_NoCodeAndToldWhereToAddAMethod()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);

        var outcome = await browser.AuthorizeAsync(
            client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["acr_values"] = MfaAcr }), user.UserName);

        Assert.Null(outcome.Redirect);
        Assert.Contains("TSR5210", outcome.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"security-info\"", outcome.Body, StringComparison.Ordinal);

        // The claims parameter asks the same way.
        var claims = """{"id_token":{"acr":{"essential":true,"values":["urn:tessera:acr:mfa"]}}}""";
        var viaClaims = await browser.AuthorizeAsync(
            client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["claims"] = claims }), userName: null);
        Assert.Null(viaClaims.Redirect);
        Assert.Contains("id=\"strength-notice\"", viaClaims.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("urn:other:gold")]
    [InlineData("urn:tessera:acr:password")]
    public async Task AcrValues_UnknownOrMet_IgnoredOrSatisfied(string acr)
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["acr_values"] = acr }), user.UserName);
        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
    }

    [Fact]
    public async Task Discovery_AdvertisesAcrValues()
    {
        using var http = server.CreateHttpClient();
        var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{server.Authority}/.well-known/openid-configuration")).RootElement;
        var values = json.GetProperty("acr_values_supported").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(["urn:tessera:acr:password", MfaAcr, "urn:tessera:acr:passwordless-mfa", "urn:tessera:acr:phishing-resistant-mfa"], values);
        Assert.Contains("acr", json.GetProperty("claims_supported").EnumerateArray().Select(v => v.GetString()));
    }

    private string? LastEnrolmentCode { get; set; }

    private async Task<string> EnrolAsync(string userName) => (await EnrolWithCodesAsync(userName)).Key;

    private async Task<(string Key, IReadOnlyList<string> Codes)> EnrolWithCodesAsync(string userName)
    {
        using var browser = new UserAgent(server);
        await SecurityInfoPages.SignInAsync(browser, server, userName);
        var (key, codes) = await SecurityInfoPages.SetUpAuthenticatorAsync(browser, server);
        LastEnrolmentCode = SecurityInfoPages.UsedCodes(key).First();
        return (key, codes);
    }

    private async Task<(HttpResponseMessage Response, string Body)> SubmitTwoFactorAsync(
        UserAgent browser, string field, string value, string? handler = null)
    {
        var url = $"{server.TenantBase}/account/two-factor";
        var page = await browser.SendAsync(HttpMethod.Get, url);
        var response = await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(), [new(field, value)],
            handler is null ? null : $"{url}?handler={handler}");
        return await SecurityInfoPages.FollowAsync(browser, response);
    }

    private async Task<Uri> FollowToClientAsync(UserAgent browser, HttpResponseMessage response)
    {
        for (var hop = 0; hop < 10; hop++)
        {
            var location = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
            if (!location.GetLeftPart(UriPartial.Authority).Equals(server.Origin, StringComparison.OrdinalIgnoreCase))
            {
                return location;
            }

            response = await browser.SendAsync(HttpMethod.Get, location.ToString());
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(body.Contains("id=\"accept\"", StringComparison.Ordinal), body);
                response = await browser.SubmitAsync(response, body, [new("decision", "accept")]);
            }
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    private static string Wrong(string code) => ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Amr(JsonWebToken token) => [.. token.GetPayloadValue<List<string>>("amr")];

    private Task<bool> TwoFactorEnabledAsync(Guid userId)
        => server.Directory.QueryAsync(db => db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync());

    private async Task<List<SignInEvent>> SignInsAsync(Guid userId)
    {
        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        return await server.Directory.QueryAsync(db => db.SignInEvents.AsNoTracking().Where(e => e.UserId == userId).ToListAsync());
    }
}
