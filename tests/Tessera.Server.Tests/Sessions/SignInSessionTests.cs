using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Sessions;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sessions;

/// <summary>Server-side sign-in sessions over real HTTP: records, session ids, the admin API, and account changes that end them.</summary>
public sealed class SignInSessionTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private Task<List<SignInSession>> RecordsAsync(Guid userId)
        => server.Directory.QueryAsync(db => db.SignInSessions.AsNoTracking().Where(s => s.UserId == userId).ToListAsync());

    /// <summary>Whether the browser's SSO session still stands: the sessions page answers, rather than sending it to sign in.</summary>
    private async Task<bool> SignedInAtNextRequestAsync(UserAgent browser)
    {
        var response = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/account/sessions");
        return response.StatusCode == HttpStatusCode.OK;
    }

    [Fact]
    public async Task SignIn_Password_RecordsSessionWithMethodsAddressAndBrowser()
    {
        using var signedIn = await BrowserSignIn.StartAsync(server);
        var session = Assert.Single(await RecordsAsync(signedIn.User.Id));
        Assert.Equal(server.TenantId, session.TenantId);
        Assert.Null(session.EndedDateTime);
        Assert.Equal("127.0.0.1", session.IpAddress);
        Assert.Contains("pwd", session.AuthenticationMethods, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(12), session.ExpiresDateTime - session.CreatedDateTime);

        // The ID token names the session (sid); the access token does not.
        var idToken = new JsonWebToken(signedIn.Tokens.IdToken!);
        Assert.Equal(session.Id.ToString("D"), idToken.GetClaim("sid").Value);
        Assert.False(signedIn.Tokens.Access.TryGetClaim("sid", out _));
    }

    [Fact]
    public async Task SignIn_AgainInTheSameBrowser_NewSessionIdAndTheOldCookieIsDead()
    {
        var signedIn = await BrowserSignIn.StartAsync(server);
        using var browser = signedIn.Browser;
        var first = Assert.Single(await RecordsAsync(signedIn.User.Id));
        var oldCookie = browser.Cookies["__Host-tessera.session"];

        // prompt=login: the same browser signs in again.
        var again = await browser.AuthorizeAsync(signedIn.Client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "login" }), signedIn.User.UserName);
        Assert.True(again.Query.ContainsKey("code"), again.ErrorText);
        Assert.NotEqual(oldCookie, browser.Cookies["__Host-tessera.session"]);

        var records = await RecordsAsync(signedIn.User.Id);
        Assert.Equal(2, records.Count);
        var replaced = records.Single(r => r.Id == first.Id);
        Assert.Equal(SessionEndReasons.Replaced, replaced.EndReason);
        Assert.Null(records.Single(r => r.Id != first.Id).EndedDateTime);

        // Whoever kept the first cookie (fixed it, stole it) holds nothing.
        using var http = server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.TenantBase}/account/sessions");
        request.Headers.Add("Cookie", $"__Host-tessera.session={oldCookie}");
        var withOld = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, withOld.StatusCode);
        Assert.Contains("/account/signin", withOld.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminList_TwoBrowsers_BothListedInGraphShape()
    {
        var user = await server.Directory.CreateUserAsync();
        using var one = await BrowserSignIn.StartAsync(server, user);
        using var two = await BrowserSignIn.StartAsync(server, user);
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        var (status, list) = await reader.JsonAsync(HttpMethod.Get, $"users/{user.Id}/signInSessions");
        Assert.Equal(HttpStatusCode.OK, status);
        var sessions = list!["value"]!.AsArray();
        Assert.Equal(2, sessions.Count);
        foreach (var session in sessions)
        {
            Assert.True(Guid.TryParse(session!["id"]!.GetValue<string>(), out _));
            Assert.Equal("127.0.0.1", session["ipAddress"]!.GetValue<string>());
            Assert.Contains("pwd", session["authenticationMethods"]!.AsArray().Select(m => m!.GetValue<string>()));
            Assert.NotNull(session["createdDateTime"]);
            Assert.NotNull(session["lastActivityDateTime"]);
            Assert.NotNull(session["expirationDateTime"]);
        }

        // By user principal name too, as the other /users paths.
        var (_, byName) = await reader.JsonAsync(HttpMethod.Get, $"users/{user.UserName}/signInSessions");
        Assert.Equal(2, byName!["value"]!.AsArray().Count);
    }

    [Fact]
    public async Task AdminEnd_OneSession_ThatBrowserSignedOutTheOtherNotAndItsRefreshTokenFails()
    {
        var user = await server.Directory.CreateUserAsync();
        using var one = await BrowserSignIn.StartAsync(server, user);
        using var two = await BrowserSignIn.StartAsync(server, user);
        var sessionOfOne = one.SessionId;

        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        var (status, _) = await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}/signInSessions/{sessionOfOne}");
        Assert.Equal(HttpStatusCode.NoContent, status);

        Assert.False(await SignedInAtNextRequestAsync(one.Browser));
        Assert.True(await SignedInAtNextRequestAsync(two.Browser));
        using var http = server.CreateHttpClient();
        var refused = await one.Client.RefreshAsync(http, one.Tokens.RefreshToken!);
        refused.AssertError("invalid_grant");
        Assert.StartsWith("TSR5309", refused.ErrorDescription, StringComparison.Ordinal);
        (await two.Client.RefreshAsync(http, two.Tokens.RefreshToken!)).AssertSuccess();

        var record = (await RecordsAsync(user.Id)).Single(r => r.Id == Guid.Parse(sessionOfOne));
        Assert.Equal(SessionEndReasons.EndedByAdministrator, record.EndReason);
        var audit = await AdminAudit.ForTargetAsync(server, user.Id.ToString());
        Assert.Contains(audit, e => e["activityDisplayName"]!.GetValue<string>() == "End user sign-in session");

        // Ending it again: it is no longer there.
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR5305", await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}/signInSessions/{sessionOfOne}"));
    }

    [Fact]
    public async Task AdminEnd_BadInputs_CleanErrorsAndNothingChanges()
    {
        var user = await server.Directory.CreateUserAsync();
        var other = await server.Directory.CreateUserAsync();
        using var mine = await BrowserSignIn.StartAsync(server, user);
        using var theirs = await BrowserSignIn.StartAsync(server, other);
        var theirSession = theirs.SessionId;

        var elsewhere = await server.Directory.CreateTenantAsync($"s{Guid.NewGuid():N}"[..10] + ".example");
        var foreigner = await elsewhere.CreateUserAsync();

        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        var auditBefore = (await AdminAudit.AllTextAsync(server)).Length;

        GraphAssert.Error(HttpStatusCode.NotFound, "TSR5305", await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}/signInSessions/{Guid.NewGuid()}"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR5306", await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}/signInSessions/not-a-session"));
        // Another user's session through this user's path.
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR5305", await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}/signInSessions/{theirSession}"));
        // A user of another tenant is nobody here.
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, $"users/{foreigner.Id}/signInSessions/{Guid.NewGuid()}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"users/{foreigner.Id}/signInSessions"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"users/{Guid.NewGuid()}/signInSessions"));

        // Reading is not enough to end one.
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Delete, $"users/{other.Id}/signInSessions/{theirSession}"));

        Assert.True(await SignedInAtNextRequestAsync(mine.Browser));
        Assert.True(await SignedInAtNextRequestAsync(theirs.Browser));
        Assert.All(await RecordsAsync(other.Id), r => Assert.Null(r.EndedDateTime));
        Assert.Equal(auditBefore, (await AdminAudit.AllTextAsync(server)).Length);
    }

    [Theory]
    [InlineData("disable", SessionEndReasons.AccountDisabled)]
    [InlineData("password", SessionEndReasons.PasswordChanged)]
    [InlineData("revoke", SessionEndReasons.SessionsRevoked)]
    [InlineData("delete", SessionEndReasons.AccountDeleted)]
    public async Task AccountChange_EndsEverySessionRecordWithItsReason(string change, string reason)
    {
        var user = await server.Directory.CreateUserAsync();
        using var one = await BrowserSignIn.StartAsync(server, user);
        using var two = await BrowserSignIn.StartAsync(server, user);
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, body) = change switch
        {
            "disable" => await admin.JsonAsync(HttpMethod.Patch, $"users/{user.Id}", new { accountEnabled = false }),
            "password" => await admin.JsonAsync(HttpMethod.Patch, $"users/{user.Id}", new { passwordProfile = new { password = "an entirely new passphrase 42" } }),
            "revoke" => await admin.JsonAsync(HttpMethod.Post, $"users/{user.Id}/revokeSignInSessions"),
            _ => await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}"),
        };
        Assert.True(status is HttpStatusCode.NoContent or HttpStatusCode.OK, body?.ToJsonString());

        var records = await RecordsAsync(user.Id);
        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.NotNull(r.EndedDateTime);
            Assert.Equal(reason, r.EndReason);
        });
        Assert.False(await SignedInAtNextRequestAsync(one.Browser));
        Assert.False(await SignedInAtNextRequestAsync(two.Browser));
    }

    [Fact]
    public async Task AccountChange_DisplayNameOnly_SessionsStay()
    {
        using var signedIn = await BrowserSignIn.StartAsync(server);
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, _) = await admin.JsonAsync(HttpMethod.Patch, $"users/{signedIn.User.Id}", new { displayName = "Renamed" });
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Null(Assert.Single(await RecordsAsync(signedIn.User.Id)).EndedDateTime);
        Assert.True(await SignedInAtNextRequestAsync(signedIn.Browser));
    }

    [Fact]
    public async Task EndSession_WithIdTokenHint_EndsTheRecordAndItsRefreshTokens()
    {
        var signedIn = await BrowserSignIn.StartAsync(server);
        using var browser = signedIn.Browser;
        var logout = QueryHelpers.AddQueryString($"{server.TenantBase}/oauth2/v2.0/logout", new Dictionary<string, string?>
        {
            ["id_token_hint"] = signedIn.Tokens.IdToken,
            ["post_logout_redirect_uri"] = CodeFlowClient.PostLogoutRedirectUri,
        });
        var response = await browser.SendAsync(HttpMethod.Get, logout);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var record = Assert.Single(await RecordsAsync(signedIn.User.Id));
        Assert.Equal(SessionEndReasons.SignedOut, record.EndReason);
        using var http = server.CreateHttpClient();
        (await signedIn.Client.RefreshAsync(http, signedIn.Tokens.RefreshToken!)).AssertError("invalid_grant");
    }

    [Fact]
    public async Task SessionsPage_ListsSessionsAndMarksThisOne_SignOutOneAndEverywhere()
    {
        var user = await server.Directory.CreateUserAsync();
        using var one = await BrowserSignIn.StartAsync(server, user);
        using var two = await BrowserSignIn.StartAsync(server, user);
        var sessionOfOne = one.SessionId;
        var sessionOfTwo = two.SessionId;

        var page = await one.Browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/account/sessions");
        var body = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"data-session=\"{sessionOfOne}\" class=\"current\"", body, StringComparison.Ordinal);
        Assert.Contains($"data-session=\"{sessionOfTwo}\"", body, StringComparison.Ordinal);

        // A session id that is not the user's (or nonsense) ends nothing.
        var stranger = await BrowserSignIn.StartAsync(server);
        using (stranger)
        {
            var strangers = stranger.SessionId;
            foreach (var bad in new[] { strangers, "nonsense", Guid.NewGuid().ToString() })
            {
                var refused = await one.Browser.SubmitAsync(page, body, [new("sessionId", bad)], $"{server.TenantBase}/account/sessions?handler=end");
                Assert.Equal(HttpStatusCode.SeeOther, refused.StatusCode);
                Assert.EndsWith("ended=gone", refused.Headers.Location!.ToString(), StringComparison.Ordinal);
            }

            Assert.True(await SignedInAtNextRequestAsync(stranger.Browser));
        }

        // Sign out the other browser from this one.
        var ended = await one.Browser.SubmitAsync(page, body, [new("sessionId", sessionOfTwo)], $"{server.TenantBase}/account/sessions?handler=end");
        Assert.EndsWith("ended=one", ended.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.False(await SignedInAtNextRequestAsync(two.Browser));
        Assert.True(await SignedInAtNextRequestAsync(one.Browser));

        // Everywhere: this browser too, and the application's refresh token.
        page = await one.Browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/account/sessions");
        body = await page.Content.ReadAsStringAsync();
        var everywhere = await one.Browser.SubmitAsync(page, body, [], $"{server.TenantBase}/account/sessions?handler=everywhere");
        Assert.Equal(HttpStatusCode.SeeOther, everywhere.StatusCode);
        Assert.EndsWith("/account/signedout", everywhere.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.False(await SignedInAtNextRequestAsync(one.Browser));
        using var http = server.CreateHttpClient();
        (await one.Client.RefreshAsync(http, one.Tokens.RefreshToken!)).AssertError("invalid_grant");
        Assert.All(await RecordsAsync(user.Id), r => Assert.NotNull(r.EndedDateTime));
        var audit = await AdminAudit.ForTargetAsync(server, user.Id.ToString());
        Assert.Contains(audit, e => e["activityDisplayName"]!.GetValue<string>() == "Sign out everywhere");
    }

    [Fact]
    public async Task SessionsPage_NotSignedIn_SendsToSignIn()
    {
        using var browser = new UserAgent(server);
        var response = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/account/sessions");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
