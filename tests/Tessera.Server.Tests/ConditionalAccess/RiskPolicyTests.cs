using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Directory.Protection;
using Tessera.Policy.Admin;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ConditionalAccess;

/// <summary>
/// Risk-based Conditional Access over HTTP on a real server: an administrator confirms a user compromised
/// (<c>/identityProtection/riskyUsers</c>), a user-risk policy blocks the user's sign-ins and refreshes until the risk is
/// dismissed; a sign-in from a network detected spraying passwords carries sign-in risk, which a sign-in-risk policy acts on.
/// </summary>
public sealed class RiskPolicyTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string RiskyUsers = "identityProtection/riskyUsers";
    private const string Block = """{ "operator": "OR", "builtInControls": ["block"] }""";

    [Fact]
    public async Task ConfirmCompromised_UserRiskPolicyBlocksSignInAndRefresh_DismissRestores()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        await PolicyAsync("Block high user risk", user.Id, """ "userRiskLevels": ["high"] """);
        var tokens = await SignInAsync(client, user.UserName!);
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.IdentityRiskyUserReadWriteAll);

        var confirmed = await admin.SendAsync(HttpMethod.Post, RiskyUsers + "/confirmCompromised", new { userIds = new[] { user.Id } });

        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        var (_, risky) = await admin.JsonAsync(HttpMethod.Get, $"{RiskyUsers}/{user.Id}");
        Assert.Equal("high", risky!["riskLevel"]!.GetValue<string>());
        Assert.Equal("confirmedCompromised", risky["riskState"]!.GetValue<string>());
        Assert.Equal("adminConfirmedUserCompromised", risky["riskDetail"]!.GetValue<string>());
        var (_, list) = await admin.JsonAsync(HttpMethod.Get, RiskyUsers);
        Assert.Contains(list!["value"]!.AsArray(), u => u!["id"]!.GetValue<string>() == user.Id.ToString("D"));

        using var http = server.CreateHttpClient();
        var refused = await client.RefreshAsync(http, tokens.RefreshToken!);
        // Confirming the compromise revoked the refresh token at once (a CAE critical event); the policy would refuse it too.
        refused.AssertError("invalid_grant");
        using (var browser = new UserAgent(server))
        {
            var blocked = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
            Assert.Equal("access_denied", blocked.Query["error"]);
            Assert.Contains("'Block high user risk'", blocked.Query["error_description"], StringComparison.Ordinal);
        }

        var dismissed = await admin.SendAsync(HttpMethod.Post, RiskyUsers + "/dismiss", new { userIds = new[] { user.Id } });

        Assert.Equal(HttpStatusCode.NoContent, dismissed.StatusCode);
        (_, risky) = await admin.JsonAsync(HttpMethod.Get, $"{RiskyUsers}/{user.Id}");
        Assert.Equal("none", risky!["riskLevel"]!.GetValue<string>());
        Assert.Equal("dismissed", risky["riskState"]!.GetValue<string>());
        await SignInAsync(client, user.UserName!);
        using var auditor = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AuditLogReadAll);
        var (_, audit) = await auditor.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits?$filter=" + Uri.EscapeDataString("category eq 'IdentityProtection'"));
        var activities = audit!["value"]!.AsArray().Where(e => e!["targetResources"]![0]!["id"]!.GetValue<string>() == user.Id.ToString("D"))
            .Select(e => e!["activityDisplayName"]!.GetValue<string>()).ToList();
        Assert.Contains("Confirm user compromised", activities);
        Assert.Contains("Dismiss user risk", activities);
    }

    [Fact]
    public async Task SignInFromSprayingNetwork_SignInRiskPolicyBlocks_OtherNetworksSignIn()
    {
        // The user signed in from the network before, so the spray block (for unfamiliar accounts) lets the password
        // through: only the sign-in-risk policy stands between the network and a token.
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var spraying = new IPAddress([127, 0, 77, 1]);
        using (var before = new UserAgent(server, spraying))
        {
            var first = await before.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
            Assert.True(first.Query.ContainsKey("code"), first.ErrorText);
        }

        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        await PolicyAsync("Block risky sign-ins", user.Id, """ "signInRiskLevels": ["medium", "high"] """);
        await server.Directory.QueryAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            db.RiskDetections.Add(new RiskDetection
            {
                Id = Guid.NewGuid(), TenantId = server.Directory.TenantId, RiskEventType = RiskEventTypes.PasswordSpray, RiskLevel = RiskLevels.Medium,
                RiskState = RiskStates.AtRisk, Activity = "signin", IpAddress = "127.0.77.1", SourcePrefix = "127.0.77.1/32",
                DetectedDateTime = now, LastUpdatedDateTime = now, TargetedAccounts = 40,
            });
            return await db.SaveChangesAsync();
        });

        using (var after = new UserAgent(server, spraying))
        {
            var blocked = await after.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
            Assert.True(blocked.Query.ContainsKey("error"), blocked.ErrorText);
            Assert.Equal("access_denied", blocked.Query["error"]);
            Assert.Contains("'Block risky sign-ins'", blocked.Query["error_description"], StringComparison.Ordinal);
        }

        await SignInAsync(client, user.UserName!);
    }

    [Theory]
    [InlineData("""{}""", "TSR5040")]
    [InlineData("""{"userIds": []}""", "TSR5040")]
    [InlineData("""{"userIds": "x"}""", "TSR5040")]
    [InlineData("""{"userIds": ["not-a-guid"]}""", "TSR5040")]
    [InlineData("""{"userIds": ["00000000-0000-0000-0000-000000000000"]}""", "TSR5040")]
    [InlineData("""{"userIds": ["6f0c9f44-0a7e-4d0e-9c53-2d7a2b7f0e11"], "extra": 1}""", "TSR5040")]
    public async Task Actions_BadBodies_400NothingChanged(string body, string code)
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.IdentityRiskyUserReadWriteAll);
        foreach (var action in new[] { "confirmCompromised", "dismiss" })
        {
            var (status, error) = await admin.JsonAsync(HttpMethod.Post, $"{RiskyUsers}/{action}", JsonNode.Parse(body)!.ToJsonString());
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(code, error!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConfirmCompromised_OneUnknownUser_404AndNoUserChanged()
    {
        var user = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.IdentityRiskyUserReadWriteAll);
        var unknown = Guid.NewGuid();

        var (status, error) = await admin.JsonAsync(HttpMethod.Post, RiskyUsers + "/confirmCompromised", new { userIds = new[] { user.Id, unknown } });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("TSR5041", error!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(unknown.ToString("D"), error.ToJsonString(), StringComparison.Ordinal);
        var (_, risky) = await admin.JsonAsync(HttpMethod.Get, $"{RiskyUsers}/{user.Id}");
        Assert.Equal("none", risky!["riskLevel"]!.GetValue<string>());
        Assert.Equal("none", risky["riskState"]!.GetValue<string>());
    }

    [Fact]
    public async Task RiskyUsers_ReaderCannotConfirm_QueryOptionsRefused()
    {
        var user = await server.Directory.CreateUserAsync();
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.IdentityRiskyUserReadAll);

        var denied = await reader.SendAsync(HttpMethod.Post, RiskyUsers + "/confirmCompromised", new { userIds = new[] { user.Id } });
        var (status, error) = await reader.JsonAsync(HttpMethod.Get, RiskyUsers + "?$filter=riskLevel eq 'high'");

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("TSR5042", error!.ToJsonString(), StringComparison.Ordinal);
        var (missing, _) = await reader.JsonAsync(HttpMethod.Get, $"{RiskyUsers}/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    private async Task<TokenResponse> SignInAsync(CodeFlowClient client, string userName)
    {
        var (code, pkce, browser) = await client.SignInAsync(userName);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return tokens;
    }

    private async Task PolicyAsync(string name, Guid userId, string riskCondition)
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var body = $$"""
            {
              "displayName": "{{name}}", "state": "enabled",
              "conditions": {
                "users": { "includeUsers": ["{{userId}}"] }, "applications": { "includeApplications": ["All"] }, {{riskCondition}}
              },
              "grantControls": {{Block}}
            }
            """;
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/policies", JsonNode.Parse(body)!.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
    }
}
