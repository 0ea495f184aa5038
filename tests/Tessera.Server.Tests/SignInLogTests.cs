using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.Directory.Applications;
using Tessera.Directory.Audit;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Server.Directory;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The sign-in log: the sign-in page and the token endpoint record each attempt with Entra ID's codes, the writer
/// queues them off the request, and <c>/auditLogs/signIns</c> returns them newest first to holders of AuditLog.Read.All.
/// </summary>
public sealed partial class SignInLogTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Browser = "Mozilla/5.0 (sign-in log tests)";

    [Fact]
    public async Task SignInPage_Success_InteractiveEventForTheClientOfTheAuthorizationRequest()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        using (var http = server.CreateHttpClient())
        {
            (await client.RedeemAsync(http, code, pkce.Verifier)).AssertSuccess();
        }

        // The code redemption completes the same sign-in: one event, not two.
        var signIn = Assert.Single(await SignInsAsync($"userId eq '{user.Id}'"));
        Assert.Equal(0, signIn["status"]!["errorCode"]!.GetValue<int>());
        Assert.Null(signIn["status"]!["failureReason"]);
        Assert.Equal("success", signIn["result"]!.GetValue<string>());
        Assert.Equal("interactiveUser", signIn["signInEventTypes"]![0]!.GetValue<string>());
        Assert.True(signIn["isInteractive"]!.GetValue<bool>());
        Assert.Equal("Password", signIn["authenticationMethodsUsed"]![0]!.GetValue<string>());
        Assert.Equal("Browser", signIn["clientAppUsed"]!.GetValue<string>());
        Assert.Equal(user.UserName, signIn["userPrincipalName"]!.GetValue<string>());
        Assert.Equal(user.DisplayName, signIn["userDisplayName"]!.GetValue<string>());
        Assert.Equal(client.ClientId, signIn["appId"]!.GetValue<string>());
        Assert.Equal(client.Application.DisplayName, signIn["appDisplayName"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", signIn["ipAddress"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(signIn["correlationId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SignInPage_WrongPassword_50126WithTheUserAndBrowser()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);

        var page = await PostSignInAsync(user.UserName!, "not the password", client.ClientId);

        Assert.Contains("The user name or password is incorrect.", page, StringComparison.Ordinal);
        var signIn = Assert.Single(await SignInsAsync($"userId eq '{user.Id}'"));
        AssertFailure(signIn, 50126, "Invalid username or password");
        Assert.Equal(client.ClientId, signIn["appId"]!.GetValue<string>());
        Assert.Equal(Browser, signIn["userAgent"]!.GetValue<string>());
    }

    [Fact]
    public async Task SignInPage_UnknownUser_50126WithTheTypedNameAndNoUserId()
    {
        var typed = $"nobody{Guid.NewGuid():N}@nowhere.example";

        var page = await PostSignInAsync(typed, "whatever it is", clientId: null);

        // The page says what it says for a wrong password; only the log tells them apart.
        Assert.Contains("The user name or password is incorrect.", page, StringComparison.Ordinal);
        var signIn = Assert.Single(await SignInsAsync($"userPrincipalName eq '{typed}'"));
        AssertFailure(signIn, 50126, "Invalid username or password");
        Assert.Null(signIn["userId"]);
        Assert.Null(signIn["appId"]);
    }

    [Fact]
    public async Task SignInPage_DisabledUser_50057()
    {
        var user = await server.Directory.CreateUserAsync();
        await server.Directory.SetUserEnabledAsync(user.Id, enabled: false);

        var page = await PostSignInAsync(user.UserName!, TestDirectory.Password, clientId: null);

        Assert.Contains("The user name or password is incorrect.", page, StringComparison.Ordinal);
        AssertFailure(Assert.Single(await SignInsAsync($"userId eq '{user.Id}'")), 50057, "User account is disabled");
    }

    [Fact]
    public async Task SignInPage_LockedOutUser_50053EvenWithTheRightPassword()
    {
        var user = await server.Directory.CreateUserAsync();
        await using (var scope = server.App.Web.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DirectoryUser>>();
            var stored = await users.FindByIdAsync(user.Id.ToString());
            await users.SetLockoutEndDateAsync(stored!, DateTimeOffset.UtcNow.AddMinutes(5));
        }

        var page = await PostSignInAsync(user.UserName!, TestDirectory.Password, clientId: null);

        Assert.Contains("The user name or password is incorrect.", page, StringComparison.Ordinal);
        AssertFailure(Assert.Single(await SignInsAsync($"userId eq '{user.Id}'")), 50053, "Account is locked");
    }

    [Fact]
    public async Task ClientCredentials_Success_ServicePrincipalEventForTheApi()
    {
        var (daemon, secret) = await RegisterDaemonAsync();
        var api = await server.Directory.RegisterApiAsync("api://signins-" + Guid.NewGuid().ToString("N")[..8]);
        using var http = server.CreateHttpClient();
        http.DefaultRequestHeaders.UserAgent.ParseAdd("daemon/2.0");

        (await ClientCredentialsAsync(http, daemon.AppId, secret, api.AppId)).AssertSuccess();

        var signIn = Assert.Single(await SignInsAsync($"appId eq '{daemon.AppId}'"));
        Assert.Equal(0, signIn["status"]!["errorCode"]!.GetValue<int>());
        Assert.Equal("servicePrincipal", signIn["signInEventTypes"]![0]!.GetValue<string>());
        Assert.False(signIn["isInteractive"]!.GetValue<bool>());
        Assert.Null(signIn["userId"]);
        Assert.Equal(daemon.DisplayName, signIn["appDisplayName"]!.GetValue<string>());
        Assert.Equal(api.AppId.ToString(), signIn["resourceId"]!.GetValue<string>());
        Assert.Equal("Client secret", signIn["authenticationMethodsUsed"]![0]!.GetValue<string>());
        Assert.Equal("Other clients", signIn["clientAppUsed"]!.GetValue<string>());
        Assert.Equal("daemon/2.0", signIn["userAgent"]!.GetValue<string>());
    }

    [Fact]
    public async Task ClientCredentials_ApiRequiresAssignment_501051()
    {
        var (daemon, secret) = await RegisterDaemonAsync();
        var api = await server.Directory.RegisterApiAsync("api://signins-" + Guid.NewGuid().ToString("N")[..8]);
        using (var admin = await AdminClient.BootstrapAsync(server))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{api.AppId}", new { appRoleAssignmentRequired = true })).Status);
        }

        using var http = server.CreateHttpClient();
        (await ClientCredentialsAsync(http, daemon.AppId, secret, api.AppId)).AssertError("invalid_grant", "TSR2030");

        var signIn = Assert.Single(await SignInsAsync($"appId eq '{daemon.AppId}'"));
        AssertFailure(signIn, 501051, "Application is not assigned to a role for the API");
        Assert.Equal(api.AppId.ToString(), signIn["resourceId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refresh_SuccessThenUserDisabled_NonInteractiveEventsNewestFirst()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var api = await server.Directory.RegisterApiAsync("api://signins-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, $"openid offline_access {api.IdentifierUris[0]}/Orders.Read");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();

        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);
        refreshed.AssertSuccess();
        await server.Directory.SetUserEnabledAsync(user.Id, enabled: false);
        (await client.RefreshAsync(http, refreshed.RefreshToken!)).AssertError("invalid_grant", "TSR2018");

        var signIns = await SignInsAsync($"userId eq '{user.Id}'");
        Assert.Equal(3, signIns.Count);
        AssertFailure(signIns[0], 50057, "User account is disabled");
        Assert.Equal("nonInteractiveUser", signIns[0]["signInEventTypes"]![0]!.GetValue<string>());
        Assert.Equal("nonInteractiveUser", signIns[1]["signInEventTypes"]![0]!.GetValue<string>());
        Assert.Equal(0, signIns[1]["status"]!["errorCode"]!.GetValue<int>());
        Assert.False(signIns[1]["isInteractive"]!.GetValue<bool>());
        Assert.Equal("Previously satisfied", signIns[1]["authenticationMethodsUsed"]![0]!.GetValue<string>());
        Assert.Equal(api.AppId.ToString(), signIns[1]["resourceId"]!.GetValue<string>());
        Assert.Equal(client.ClientId, signIns[1]["appId"]!.GetValue<string>());
        Assert.Equal("interactiveUser", signIns[2]["signInEventTypes"]![0]!.GetValue<string>());
        var times = signIns.Select(s => s["createdDateTime"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task DeviceCode_Redeemed_NonInteractiveEvent()
    {
        var user = await server.Directory.CreateUserAsync();
        var device = await server.Directory.RegisterAsync(new NewApplication("device " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = true,
            RedirectUris = ["http://127.0.0.1/callback"],
        });
        using var http = server.CreateHttpClient();
        var start = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode", ("client_id", device.AppId.ToString()), ("scope", "openid offline_access"));
        start.AssertSuccess();
        using (var browser = new UserAgent(server))
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName)).LastResponse.StatusCode);
            var userCode = start.Json.GetProperty("user_code").GetString()!;
            var page = await (await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/devicelogin?user_code={Uri.EscapeDataString(userCode)}")).Content.ReadAsStringAsync();
            await browser.SendAsync(HttpMethod.Post, $"{server.TenantBase}/devicelogin",
                [new("user_code", userCode), new("decision", "accept"), new("__RequestVerificationToken", Antiforgery().Match(page).Groups[1].Value)]);
        }

        (await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", device.AppId.ToString()), ("device_code", start.Json.GetProperty("device_code").GetString()!))).AssertSuccess();

        var redeemed = Assert.Single(await SignInsAsync($"appId eq '{device.AppId}'"));
        Assert.Equal("nonInteractiveUser", redeemed["signInEventTypes"]![0]!.GetValue<string>());
        Assert.Equal(user.Id.ToString(), redeemed["userId"]!.GetValue<string>());
        Assert.Equal(0, redeemed["status"]!["errorCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_Filters_ResultAndEventType()
    {
        var user = await server.Directory.CreateUserAsync();
        await PostSignInAsync(user.UserName!, "not the password", clientId: null);
        await PostSignInAsync(user.UserName!, TestDirectory.Password, clientId: null);

        var failures = await SignInsAsync($"userId eq '{user.Id}' and result eq 'failure'");
        var interactive = await SignInsAsync($"userId eq '{user.Id}' and signInEventType eq 'interactiveUser' and isInteractive eq true");

        AssertFailure(Assert.Single(failures), 50126, "Invalid username or password");
        Assert.Equal(2, interactive.Count);
    }

    [Fact]
    public async Task List_Filters_TimeWindowAndStatusCode()
    {
        var user = await server.Directory.CreateUserAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await PostSignInAsync(user.UserName!, "not the password", clientId: null);
        await PostSignInAsync(user.UserName!, TestDirectory.Password, clientId: null);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        static string At(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(2, (await SignInsAsync($"userId eq '{user.Id}' and createdDateTime ge {At(before)} and createdDateTime lt {At(after)}")).Count);
        Assert.Empty(await SignInsAsync($"userId eq '{user.Id}' and createdDateTime gt {At(after)}"));
        Assert.Empty(await SignInsAsync($"userId eq '{user.Id}' and createdDateTime le {At(before)}"));
        AssertFailure(Assert.Single(await SignInsAsync($"userId eq '{user.Id}' and status/errorCode eq 50126")), 50126, "Invalid username or password");
        Assert.Equal(0, Assert.Single(await SignInsAsync($"userId eq '{user.Id}' and status/errorCode eq 0"))["status"]!["errorCode"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("createdDateTime ge 'yesterday'")]
    [InlineData("createdDateTime ge 2026-13-45T00:00:00Z")]
    [InlineData("userPrincipalName ge 'a'")]
    [InlineData("status/errorCode eq 'x'")]
    [InlineData("status/errorCode gt 0")]
    [InlineData("createdDateTime ne 2026-01-01T00:00:00Z")]
    public async Task List_BadComparison_400WithWhatIsSupported(string filter)
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AuditLogReadAll);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await reader.JsonAsync(HttpMethod.Get, $"auditLogs/signIns?$filter={Uri.EscapeDataString(filter)}"));
    }

    [Fact]
    public async Task List_WithoutAuditPermission_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, "auditLogs/signIns"));
    }

    [Fact]
    public async Task List_UnfilterableProperty_400()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AuditLogReadAll);
        var (status, json) = await reader.JsonAsync(HttpMethod.Get, "auditLogs/signIns?$filter=userAgent eq 'x'");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("userPrincipalName", json!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writer_QueueFull_DropsAndCountsWithoutBlocking()
    {
        var log = new SignInLog(server.App.Web.Services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, NullLogger<SignInLog>.Instance, capacity: 2);
        var tenant = Guid.NewGuid();

        for (var i = 0; i < 5; i++)
        {
            log.Record(Event(tenant));
        }

        Assert.Equal(3, log.Dropped);

        // Started and stopped at once: what was queued is still written on the way out.
        await log.StartAsync(CancellationToken.None);
        await log.StopAsync(CancellationToken.None);
        Assert.Equal(2, await server.Directory.QueryAsync(db => db.SignInEvents.CountAsync(e => e.TenantId == tenant)));
        log.Dispose();
    }

    [Theory]
    [InlineData("TSR2018", 50057)]
    [InlineData("TSR2029", 500014)]
    [InlineData("TSR2030", 501051)]
    [InlineData("TSR2031", 50105)]
    [InlineData("TSR2009", 500011)]
    [InlineData("TSR2012", 1)]
    public void Status_OfTokenEndpointRefusal_EntraCode(string tesseraCode, int errorCode)
    {
        var status = SignInStatus.Of(new TesseraError(tesseraCode, "invalid_grant", "Refused."));
        Assert.Equal(errorCode, status.ErrorCode);
        Assert.False(string.IsNullOrEmpty(status.FailureReason));
    }

    [Theory]
    [InlineData("/t/oauth2/v2.0/authorize?client_id=6b4f1a44-2c1e-4d7e-9a43-9a4f4b1e2f10&scope=openid", "6b4f1a44-2c1e-4d7e-9a43-9a4f4b1e2f10")]
    [InlineData("/t/oauth2/v2.0/authorize?client_id=not-a-guid", null)]
    [InlineData("/t/devicelogin?user_code=ABCD", null)]
    [InlineData("/t/account/signedin", null)]
    [InlineData(null, null)]
    public void ClientIdOf_ReturnUrl_TheAuthorizationRequestsClient(string? returnUrl, string? expected)
        => Assert.Equal(expected is null ? null : Guid.Parse(expected), SignInAttempt.ClientIdOf(returnUrl));

    private static SignInEvent Event(Guid tenant) => new()
    {
        Id = Guid.NewGuid(), TenantId = tenant, CreatedDateTime = DateTimeOffset.UtcNow, IpAddress = "192.0.2.1", UserAgent = string.Empty,
        ClientAppUsed = SignInClientApps.OtherClients, AuthenticationMethods = "Client secret", SignInEventType = SignInEventTypes.ServicePrincipal,
        CorrelationId = "test",
    };

    private async Task<List<JsonNode>> SignInsAsync(string filter)
    {
        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AuditLogReadAll);
        var (status, json) = await reader.JsonAsync(HttpMethod.Get, $"auditLogs/signIns?$filter={Uri.EscapeDataString(filter)}");
        Assert.True(status == HttpStatusCode.OK, json?.ToJsonString());
        return [.. json!["value"]!.AsArray().Select(item => item!)];
    }

    private static void AssertFailure(JsonNode signIn, int errorCode, string reason)
    {
        Assert.Equal(errorCode, signIn["status"]!["errorCode"]!.GetValue<int>());
        Assert.Equal(reason, signIn["status"]!["failureReason"]!.GetValue<string>());
        Assert.Equal("failure", signIn["result"]!.GetValue<string>());
    }

    private async Task<(Application App, string Secret)> RegisterDaemonAsync()
    {
        var daemon = await server.Directory.RegisterAsync(new NewApplication("daemon " + Guid.NewGuid().ToString("N")[..6]));
        return (daemon, await server.Directory.AddSecretAsync(daemon.AppId));
    }

    private Task<TokenResponse> ClientCredentialsAsync(HttpClient http, Guid clientId, string secret, Guid api)
        => TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", clientId.ToString()), ("client_secret", secret), ("scope", api + "/.default"));

    /// <summary>Posts the sign-in form as a browser would, coming from an authorization request of <paramref name="clientId"/>; returns the page.</summary>
    private async Task<string> PostSignInAsync(string userName, string password, string? clientId)
    {
        using var http = server.CreateHttpClient();
        http.DefaultRequestHeaders.UserAgent.ParseAdd(Browser);
        var returnUrl = clientId is null ? null : $"/{server.TenantId:D}/oauth2/v2.0/authorize?client_id={clientId}&response_type=code";
        var signIn = $"{server.TenantBase}/account/signin";
        using var form = await http.GetAsync(returnUrl is null ? signIn : $"{signIn}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var cookies = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';', 2)[0]));
        var token = Antiforgery().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;

        using var request = new HttpRequestMessage(HttpMethod.Post, signIn)
        {
            Content = new FormUrlEncodedContent([
                new("UserName", userName), new("Password", password), new("__RequestVerificationToken", token),
                .. returnUrl is null ? Array.Empty<KeyValuePair<string, string>>() : [new("ReturnUrl", returnUrl)]]),
        };
        request.Headers.Add("Cookie", cookies);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
