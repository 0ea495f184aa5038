using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>The tenant's default app management policy: the cap on client secret lifetimes. Each test sets the cap it needs.</summary>
public sealed class AppManagementPolicyApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Policy = "policies/defaultAppManagementPolicy";
    private const string PolicyId = "00000000-0000-0000-0000-000000000000";

    private static object MaxLifetime(string duration)
        => new { applicationRestrictions = new { passwordCredentials = new[] { new { restrictionType = "passwordLifetime", maxLifetime = duration } } } };

    private static async Task SetAsync(AdminClient admin, string duration)
        => Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime(duration))).Status);

    private static async Task<(HttpStatusCode Status, JsonNode? Json)> AddPasswordAsync(AdminClient admin, int? days = null)
    {
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "secret holder" });
        object body = days is { } d
            ? new { passwordCredential = new { endDateTime = DateTimeOffset.UtcNow.AddDays(d).ToString("O", CultureInfo.InvariantCulture) } }
            : new { };
        return await admin.JsonAsync(HttpMethod.Post, $"applications/{created!["id"]}/addPassword", body);
    }

    private static TimeSpan Lifetime(JsonNode secret)
        => DateTimeOffset.Parse(secret["endDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow;

    [Fact]
    public async Task Get_GraphShape_TwoYearsUnlessChanged()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await SetAsync(admin, "P730D");

        var policy = await admin.GetVersionedAsync(Policy);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":"00000000-0000-0000-0000-000000000000","displayName":"Default app management tenant policy","isEnabled":true,
             "applicationRestrictions":{"passwordCredentials":[{"restrictionType":"passwordLifetime","maxLifetime":"P730D"}]}}
            """), policy), policy.ToJsonString());
    }

    [Fact]
    public async Task Patch_ShorterCap_DefaultSecretsShortenedAndLongerOnesRefused()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await SetAsync(admin, "P90D");
        try
        {
            var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
            Assert.Equal("P90D", policy!["applicationRestrictions"]!["passwordCredentials"]![0]!["maxLifetime"]!.GetValue<string>());

            // The default of 180 days does not fit under a 90-day cap: the cap is used.
            var (status, secret) = await AddPasswordAsync(admin);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.InRange(Lifetime(secret!), TimeSpan.FromDays(89), TimeSpan.FromDays(90));

            var (withinStatus, within) = await AddPasswordAsync(admin, 60);
            Assert.Equal(HttpStatusCode.OK, withinStatus);
            Assert.InRange(Lifetime(within!), TimeSpan.FromDays(59), TimeSpan.FromDays(60));

            var refused = await AddPasswordAsync(admin, 100);
            GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3009", refused);
            Assert.Contains("at most 90 days", refused.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            await SetAsync(admin, "P730D");
        }
    }

    [Fact]
    public async Task Patch_LongerCap_DefaultStays180DaysAndTwoYearsAllowed()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await SetAsync(admin, "P730D");

        var (_, secret) = await AddPasswordAsync(admin);
        Assert.InRange(Lifetime(secret!), TimeSpan.FromDays(179), TimeSpan.FromDays(180));
        Assert.Equal(HttpStatusCode.OK, (await AddPasswordAsync(admin, 700)).Status);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3009", await AddPasswordAsync(admin, 731));
    }

    [Theory]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordAddition\",\"maxLifetime\":null}]}}", "TSR3069")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P90D\"},{\"restrictionType\":\"customPasswordAddition\"}]}}", "TSR3065")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"maxLifetime\":\"P90D\"}]}}", "TSR3065")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P731D\"}]}}", "TSR3066")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P0D\"}]}}", "TSR3066")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P2Y\"}]}}", "TSR3066")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":90}]}}", "TSR3066")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\"}]}}", "TSR3066")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P90D\",\"restrictForAppsCreatedAfterDateTime\":\"2020-01-01T00:00:00Z\"}]}}", "TSR3067")]
    [InlineData("{\"applicationRestrictions\":{\"keyCredentials\":[]}}", "TSR3067")]
    [InlineData("{\"description\":\"mine\"}", "TSR3067")]
    [InlineData("{\"displayName\":\"Renamed\"}", "TSR3067")]
    [InlineData("{\"isEnabled\":false}", "TSR3068")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":{}}}", "TSR3069")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[]}}", "TSR3069")]
    [InlineData("{\"applicationRestrictions\":{\"passwordCredentials\":[{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P90D\"},{\"restrictionType\":\"passwordLifetime\",\"maxLifetime\":\"P30D\"}]}}", "TSR3069")]
    [InlineData("{\"applicationRestrictions\":[]}", "TSR3018")]
    [InlineData("{\"isEnabled\":\"yes\"}", "TSR3018")]
    [InlineData("not json", "TSR3018")]
    public async Task Patch_Unsupported_400NamingTheRuleAndNothingChanged(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await SetAsync(admin, "P365D");
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, Policy, body));
        var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.Equal("P365D", policy!["applicationRestrictions"]!["passwordCredentials"]![0]!["maxLifetime"]!.GetValue<string>());
        await SetAsync(admin, "P730D");
    }

    [Fact]
    public async Task Patch_WholeBodyReadBack_Accepted()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
        policy!["applicationRestrictions"]!["passwordCredentials"]![0]!["maxLifetime"] = "P400D";
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, policy.ToJsonString())).Status);
        Assert.Equal("P400D", (await admin.JsonAsync(HttpMethod.Get, Policy)).Json!["applicationRestrictions"]!["passwordCredentials"]![0]!["maxLifetime"]!.GetValue<string>());
        await SetAsync(admin, "P730D");
    }

    [Fact]
    public async Task Patch_StaleETag_412()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var response = await admin.SendAsync(HttpMethod.Get, Policy);
        var etag = response.Headers.ETag!.ToString();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime("P300D"), etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime("P200D"), etag));
        await SetAsync(admin, "P730D");
    }

    [Fact]
    public async Task Permissions_ReadNeedsPolicyRead_WriteNeedsApplicationConfiguration()
    {
        using var policyReader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadAll);
        using var appAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        using var configurator = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteApplicationConfiguration);

        Assert.Equal(HttpStatusCode.OK, (await policyReader.JsonAsync(HttpMethod.Get, Policy)).Status);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await policyReader.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime("P30D")));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await appAdmin.JsonAsync(HttpMethod.Get, Policy));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await appAdmin.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime("P30D")));

        Assert.Equal(HttpStatusCode.OK, (await configurator.JsonAsync(HttpMethod.Get, Policy)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await configurator.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime("P30D"))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await configurator.JsonAsync(HttpMethod.Patch, Policy, MaxLifetime("P730D"))).Status);
    }

    [Fact]
    public async Task Audit_Change_RecordedWithBeforeAndAfter()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await SetAsync(admin, "P730D");
        var before = (await AdminAudit.ForTargetAsync(server, PolicyId)).Count;

        await SetAsync(admin, "P120D");
        await SetAsync(admin, "P120D"); // no change, no entry
        var entries = await AdminAudit.ForTargetAsync(server, PolicyId);
        await SetAsync(admin, "P730D");

        var entry = Assert.Single(entries.Skip(before));
        Assert.Equal("Update policy", entry["activityDisplayName"]!.GetValue<string>());
        Assert.Equal("Policy", entry["category"]!.GetValue<string>());
        var change = entry["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal("P730D", change["oldValue"]!.GetValue<string>());
        Assert.Equal("P120D", change["newValue"]!.GetValue<string>());
    }
}
