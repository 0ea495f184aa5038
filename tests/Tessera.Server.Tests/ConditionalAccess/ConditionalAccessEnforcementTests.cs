using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Directory;
using Tessera.Directory.Audit;
using Tessera.Policy.Admin;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Mfa;

namespace Tessera.Server.Tests.ConditionalAccess;

/// <summary>
/// Conditional Access where tokens are issued, over HTTP on a real server: the authorization endpoint blocks or sends
/// the user to a stronger sign-in, a refresh is judged by the policies as they are now, and client credentials by the
/// workload identity policies. Every policy names its own user or application, so the tests share one tenant.
/// </summary>
public sealed class ConditionalAccessEnforcementTests(MfaServerFixture server) : IClassFixture<MfaServerFixture>
{
    private const string Policies = "identity/conditionalAccess/policies";
    private const string Locations = "identity/conditionalAccess/namedLocations";
    private static readonly IPAddress Elsewhere = SignInPageClient.Loopback(2);

    [Fact]
    public async Task Authorize_OutsideTrustedLocation_AccessDeniedNamingPolicyAndLogged53003()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var office = await LocationAsync("127.0.0.1/32");
        await PolicyAsync("Block outside the office", "enabled", Users(user.Id),
            extra: $$""" "locations": { "includeLocations": ["All"], "excludeLocations": ["{{office}}"] } """, grant: Block);

        using (var inside = new UserAgent(server))
        {
            var granted = await inside.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
            Assert.True(granted.Query.ContainsKey("code"), granted.ErrorText);
        }

        using var outside = new UserAgent(server, Elsewhere);
        var blocked = await outside.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);

        Assert.Equal("access_denied", blocked.Query["error"]);
        Assert.StartsWith("TSR2070", blocked.Query["error_description"], StringComparison.Ordinal);
        Assert.Contains("'Block outside the office'", blocked.Query["error_description"], StringComparison.Ordinal);
        var logged = await SignInsAsync(user.Id);
        Assert.Contains(logged, e => e.ErrorCode == 53003 && e.IpAddress == "127.0.0.2" && e.AppId == client.Application.AppId);

        // The signIns API shows each policy's part, in Graph's shape.
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AuditLogReadAll);
        var (status, list) = await reader.JsonAsync(HttpMethod.Get, $"auditLogs/signIns?$filter={Uri.EscapeDataString($"userId eq '{user.Id}'")}");
        Assert.Equal(HttpStatusCode.OK, status);
        var refused = list!["value"]!.AsArray().Single(e => e!["status"]!["errorCode"]!.GetValue<int>() == 53003)!;
        var applied = Assert.Single(refused["appliedConditionalAccessPolicies"]!.AsArray(), p => p!["displayName"]!.GetValue<string>() == "Block outside the office")!;
        Assert.Equal("failure", applied["result"]!.GetValue<string>());
        Assert.Equal(["block"], applied["enforcedGrantControls"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task Authorize_MfaRequiredForApp_PasswordSessionSentToSecondStepThenCodeIssued()
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);

        // Signed in with a password alone, then an authenticator app added: the session is still single-factor.
        await SecurityInfoPages.SignInAsync(browser, server, user.UserName!);
        var (key, _) = await SecurityInfoPages.SetUpAuthenticatorAsync(browser, server);
        var client = await CodeFlowClient.RegisterAsync(server);
        await PolicyAsync("MFA for the app", "enabled", Users(user.Id), Apps(client.Application.AppId));
        var pkce = Pkce.Create();

        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce), user.UserName,
            secondFactor: () => Totp.Unused(key, SecurityInfoPages.UsedCodes(key)));

        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        Assert.Contains(browser.History, h => h.Url.Contains("/account/two-factor", StringComparison.Ordinal));
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
        tokens.AssertSuccess();
        Assert.Contains("otp", tokens.Access.GetPayloadValue<string[]>("amr"));
        Assert.Contains(await SignInsAsync(user.Id), e => e.ErrorCode == 50076);
    }

    [Fact]
    public async Task Authorize_MfaRequiredWithoutAuthenticator_HelpfulPageNoCode()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        await PolicyAsync("MFA for everyone here", "enabled", Users(user.Id), Apps(client.Application.AppId));
        using var browser = new UserAgent(server);

        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);

        Assert.Null(outcome.Redirect);
        Assert.Contains("TSR5210", outcome.Body, StringComparison.Ordinal);
        Assert.Contains("security-info", outcome.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_MfaRequiredPromptNone_InteractionRequired()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var first = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
        Assert.True(first.Query.ContainsKey("code"), first.ErrorText);
        await PolicyAsync("MFA, silently", "enabled", Users(user.Id), Apps(client.Application.AppId));

        var silent = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), null);

        Assert.Equal("interaction_required", silent.Query["error"]);
        Assert.StartsWith("TSR2071", silent.Query["error_description"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("enabledForReportingButNotEnforced")]
    [InlineData("disabled")]
    public async Task Authorize_BlockNotEnforced_CodeIssued(string state)
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        await PolicyAsync("Block, " + state, state, Users(user.Id), grant: Block);
        using var browser = new UserAgent(server);

        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);

        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        var logged = await SignInsAsync(user.Id);
        Assert.DoesNotContain(logged, e => e.ErrorCode == 53003);

        // Report-only: the log says what the policy would have done; disabled: nothing to say.
        var evaluated = logged.Where(e => e.AppliedConditionalAccessPolicies is not null).ToList();
        if (state == "disabled")
        {
            Assert.Empty(evaluated);
        }
        else
        {
            // One entry per pass through the authorization endpoint (before and after the consent page).
            Assert.NotEmpty(evaluated);
            Assert.All(evaluated, entry =>
            {
                Assert.Equal(0, entry.ErrorCode);
                Assert.Contains("\"result\":\"reportOnlyFailure\"", entry.AppliedConditionalAccessPolicies, StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public async Task Refresh_AfterBlockPolicyAdded_InvalidGrantTsr2072()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var tokens = await SignInAsync(client, user.UserName!);
        using var http = server.CreateHttpClient();
        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);
        refreshed.AssertSuccess();

        await PolicyAsync("Block from now on", "enabled", Users(user.Id), grant: Block);
        var refused = await client.RefreshAsync(http, refreshed.RefreshToken!);

        refused.AssertError("invalid_grant", "TSR2072");
        Assert.Contains(await SignInsAsync(user.Id), e => e.ErrorCode == 53003 && !e.IsInteractive);
    }

    [Fact]
    public async Task Refresh_AfterMfaPolicyAdded_InvalidGrantWithSuberrorAndClaims()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var tokens = await SignInAsync(client, user.UserName!);
        var policy = await PolicyAsync("MFA from now on", "enabled", Users(user.Id), Apps(client.Application.AppId));
        using var http = server.CreateHttpClient();

        var refused = await client.RefreshAsync(http, tokens.RefreshToken!);

        refused.AssertError("invalid_grant", "TSR2073");
        Assert.Equal("basic_action", refused.Json.GetProperty("suberror").GetString());
        var claims = JsonNode.Parse(refused.Json.GetProperty("claims").GetString()!)!;
        Assert.Equal(policy, claims["access_token"]!["capolids"]!["values"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task ClientCredentials_OutsideNamedLocation_AccessDeniedTsr2074()
    {
        var api = await server.Directory.RegisterApiAsync("api://ca-" + Guid.NewGuid().ToString("N")[..8]);
        var daemon = await server.Directory.RegisterAsync(new NewApplication("ca daemon " + Guid.NewGuid().ToString("N")[..6]));
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        var office = await LocationAsync("127.0.0.1/32");
        await PolicyAsync("Daemons from the office only", "enabled", """{ "includeUsers": ["None"] }""",
            extra: $$"""
                "clientApplications": { "includeServicePrincipals": ["{{daemon.AppId}}"] },
                "locations": { "includeLocations": ["All"], "excludeLocations": ["{{office}}"] }
                """, grant: Block);
        (string, string)[] fields =
        [
            ("grant_type", "client_credentials"), ("client_id", daemon.AppId.ToString()), ("client_secret", secret),
            ("scope", api.IdentifierUris[0] + "/.default"),
        ];

        using (var inside = server.CreateHttpClient())
        {
            (await TokenClient.PostAsync(inside, server.TokenEndpoint, fields)).AssertSuccess();
        }

        using var outside = new HttpClient(SignInPageClient.BoundHandler(Elsewhere));
        var refused = await TokenClient.PostAsync(outside, server.TokenEndpoint, fields);

        refused.AssertError("access_denied", "TSR2074");
        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        Assert.True(await server.Directory.QueryAsync(db => db.SignInEvents.AnyAsync(e => e.AppId == daemon.AppId && e.ErrorCode == 53003)));
    }

    [Fact]
    public async Task DeviceCode_BlockedUserApproves_PageSaysBlockedDeviceGetsAccessDenied()
    {
        var user = await server.Directory.CreateUserAsync();
        var cli = await CliAsync();
        await PolicyAsync("Block devices", "enabled", Users(user.Id), grant: Block);
        using var http = server.CreateHttpClient();
        var start = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode", ("client_id", cli), ("scope", "openid profile offline_access"));
        start.AssertSuccess();
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);

        var approved = await ApproveAsync(browser, start.Json.GetProperty("user_code").GetString()!);

        Assert.Contains("done=blocked", approved.Headers.Location!.ToString(), StringComparison.Ordinal);
        var polled = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", cli), ("device_code", start.Json.GetProperty("device_code").GetString()!));
        polled.AssertError("access_denied");
        Assert.Contains(await SignInsAsync(user.Id), e => e.ErrorCode == 53003);
    }

    [Fact]
    public async Task DeviceCode_MfaRequired_SentToSignInAskingForMfa()
    {
        var user = await server.Directory.CreateUserAsync();
        var cli = await CliAsync();
        await PolicyAsync("MFA on devices", "enabled", Users(user.Id), Apps(Guid.Parse(cli)));
        using var http = server.CreateHttpClient();
        var start = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode", ("client_id", cli), ("scope", "openid profile offline_access"));
        start.AssertSuccess();
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync($"{server.TenantBase}/devicelogin", user.UserName);

        var approved = await ApproveAsync(browser, start.Json.GetProperty("user_code").GetString()!);

        var location = Uri.UnescapeDataString(Uri.UnescapeDataString(approved.Headers.Location!.ToString()));
        Assert.Contains("/account/signin", location, StringComparison.Ordinal);
        Assert.Contains("tsr_ca_acr=urn:tessera:acr:mfa", location, StringComparison.Ordinal);
        var polled = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", cli), ("device_code", start.Json.GetProperty("device_code").GetString()!));
        polled.AssertError("authorization_pending");
    }

    [Fact]
    public async Task ClientAppTypes_MobileAndDesktopPolicy_BlocksNativeAppsRefreshAndDeviceCode_NotWebApps()
    {
        var user = await server.Directory.CreateUserAsync();
        var web = await CodeFlowClient.RegisterAsync(server);
        var native = await CodeFlowClient.RegisterAsync(server, server.Directory, confidential: false);
        var nativeTokens = await SignInAsync(native, user.UserName!);
        await PolicyAsync("Block native apps", "enabled", Users(user.Id), extra: """ "clientAppTypes": ["mobileAppsAndDesktopClients"] """, grant: Block);
        using var browser = new UserAgent(server);

        var fromWeb = await browser.AuthorizeAsync(web.AuthorizeUrl(Pkce.Create()), user.UserName);
        var fromNative = await browser.AuthorizeAsync(native.AuthorizeUrl(Pkce.Create()), null);

        Assert.True(fromWeb.Query.ContainsKey("code"), fromWeb.ErrorText);
        Assert.Equal("access_denied", fromNative.Query["error"]);
        using var http = server.CreateHttpClient();
        (await native.RefreshAsync(http, nativeTokens.RefreshToken!)).AssertError("invalid_grant", "TSR2072");
        var start = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/devicecode", ("client_id", native.ClientId), ("scope", "openid offline_access"));
        start.AssertSuccess();
        var approved = await ApproveAsync(browser, start.Json.GetProperty("user_code").GetString()!);
        Assert.Contains("done=blocked", approved.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> CliAsync()
        => (await server.Directory.RegisterAsync(new NewApplication("ca cli " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = true,
            RedirectUris = ["http://127.0.0.1/callback"],
        })).AppId.ToString();

    private async Task<HttpResponseMessage> ApproveAsync(UserAgent browser, string userCode)
    {
        var url = $"{server.TenantBase}/devicelogin?user_code={Uri.EscapeDataString(userCode)}";
        var page = await browser.SendAsync(HttpMethod.Get, url);
        var body = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"accept\"", body, StringComparison.Ordinal);
        return await browser.SubmitAsync(page, body, [new("user_code", userCode), new("decision", "accept")], $"{server.TenantBase}/devicelogin");
    }

    private const string Block = """{ "operator": "OR", "builtInControls": ["block"] }""";

    private static string Users(Guid userId) => $$"""{ "includeUsers": ["{{userId}}"] }""";

    private static string Apps(Guid appId) => $$"""{ "includeApplications": ["{{appId}}"] }""";

    private async Task<TokenResponse> SignInAsync(CodeFlowClient client, string userName)
    {
        var (code, pkce, browser) = await client.SignInAsync(userName);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return tokens;
    }

    private async Task<string> LocationAsync(string cidr)
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, Locations, JsonNode.Parse($$"""
            {"@odata.type":"#microsoft.graph.ipNamedLocation","displayName":"Office {{Guid.NewGuid().ToString("N")[..6]}}","isTrusted":true,
             "ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"{{cidr}}"}]}
            """)!.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!["id"]!.GetValue<string>();
    }

    private async Task<string> PolicyAsync(string name, string state, string users, string? apps = null, string? extra = null, string? grant = null)
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var body = $$"""
            {
              "displayName": "{{name}}", "state": "{{state}}",
              "conditions": {
                "users": {{users}},
                "applications": {{apps ?? """{ "includeApplications": ["All"] }"""}}
                {{(extra is null ? string.Empty : ", " + extra)}}
              },
              "grantControls": {{grant ?? """{ "operator": "OR", "builtInControls": ["mfa"] }"""}}
            }
            """;
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, Policies, JsonNode.Parse(body)!.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!["id"]!.GetValue<string>();
    }

    private async Task<List<SignInEvent>> SignInsAsync(Guid userId)
    {
        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        return await server.Directory.QueryAsync(db => db.SignInEvents.AsNoTracking().Where(e => e.UserId == userId).ToListAsync());
    }
}
