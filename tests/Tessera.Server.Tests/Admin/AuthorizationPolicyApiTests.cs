using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary><c>/policies/authorizationPolicy</c>: what users may consent to, in Graph's shape.</summary>
public sealed class AuthorizationPolicyApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Path = "policies/authorizationPolicy";

    private static object Assign(params string[] policies) => new { defaultUserRolePermissions = new { permissionGrantPoliciesAssigned = policies } };

    private static string[] Assigned(JsonNode? policy)
        => [.. policy!["defaultUserRolePermissions"]!["permissionGrantPoliciesAssigned"]!.AsArray().Select(p => p!.GetValue<string>())];

    private Task<string> StoredAsync()
        => server.Directory.QueryAsync(db => db.Tenants.Where(t => t.Id == server.TenantId).Select(t => t.UserConsentPolicy).FirstAsync());

    [Fact]
    public async Task Get_PolicyReader_GraphShapeWithTheDefaultLowRiskPolicy()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadAll);
        var policy = await reader.GetVersionedAsync(Path);
        Assert.Equal("authorizationPolicy", policy["id"]!.GetValue<string>());
        Assert.Equal("Authorization Policy", policy["displayName"]!.GetValue<string>());
        Assert.EndsWith("$metadata#policies/authorizationPolicy/$entity", policy["@odata.context"]!.GetValue<string>(), StringComparison.Ordinal);
        if (await StoredAsync() == UserConsentPolicies.LowRiskVerifiedPublishers)
        {
            Assert.Equal([UserConsentPolicies.LowRiskVerifiedPublishers], Assigned(policy));
        }
    }

    [Fact]
    public async Task Patch_EmptyThenLegacyThenLow_StoredShownAndAudited()
    {
        using (var bootstrap = await AdminClient.BootstrapAsync(server))
        {
            await bootstrap.JsonAsync(HttpMethod.Patch, Path, Assign(UserConsentPolicies.LowRiskVerifiedPublishers));
        }

        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteAuthorization);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign())).Status);
        Assert.Equal(UserConsentPolicies.None, await StoredAsync());
        Assert.Empty(Assigned((await admin.JsonAsync(HttpMethod.Get, Path)).Json));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign(UserConsentPolicies.AllUserConsentable))).Status);
        Assert.Equal(UserConsentPolicies.AllUserConsentable, await StoredAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign(UserConsentPolicies.LowRiskVerifiedPublishers))).Status);
        Assert.Equal([UserConsentPolicies.LowRiskVerifiedPublishers], Assigned((await admin.JsonAsync(HttpMethod.Get, Path)).Json));

        var entries = await AdminAudit.ForTargetAsync(server, "authorizationPolicy");
        var mine = entries.Where(e => e["initiatedBy"]!["app"]?["appId"]?.GetValue<string>() == admin.ClientId.ToString()).ToList();
        Assert.Equal(3, mine.Count);
        Assert.All(mine, e =>
        {
            Assert.Equal("Update authorization policy", e["activityDisplayName"]!.GetValue<string>());
            Assert.Equal("Policy", e["category"]!.GetValue<string>());
        });
        var first = mine[0]["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal("defaultUserRolePermissions.permissionGrantPoliciesAssigned", first["displayName"]!.GetValue<string>());
        Assert.Equal("[]", first["newValue"]!.GetValue<string>());
        Assert.Contains(UserConsentPolicies.AllUserConsentable, mine[1]["targetResources"]![0]!["modifiedProperties"]![0]!["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_SameValueOrNothing_NoChangeNoAuditEntry()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign(UserConsentPolicies.LowRiskVerifiedPublishers))).Status);
        var before = (await AdminAudit.ForTargetAsync(server, "authorizationPolicy")).Count;

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign(UserConsentPolicies.LowRiskVerifiedPublishers))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, "{}")).Status);
        Assert.Equal(before, (await AdminAudit.ForTargetAsync(server, "authorizationPolicy")).Count);
    }

    [Fact]
    public async Task Patch_WholePolicyAsRead_Accepted()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Path);
        policy!["defaultUserRolePermissions"]!["permissionGrantPoliciesAssigned"] = new JsonArray(UserConsentPolicies.LowRiskVerifiedPublishers);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, policy.ToJsonString())).Status);
    }

    [Theory]
    [InlineData("{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":[\"none\"]}}", "TSR3070")]
    [InlineData("{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":[\"ManagePermissionGrantsForSelf.everything\"]}}", "TSR3070")]
    [InlineData("{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":[\"ManagePermissionGrantsForSelf.microsoft-user-default-low\",\"ManagePermissionGrantsForSelf.microsoft-user-default-legacy\"]}}", "TSR3071")]
    [InlineData("{\"allowInvitesFrom\":\"everyone\"}", "TSR3072")]
    [InlineData("{\"displayName\":\"Renamed\"}", "TSR3072")]
    [InlineData("{\"defaultUserRolePermissions\":{\"allowedToCreateApps\":true}}", "TSR3072")]
    [InlineData("{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":null}}", "TSR3018")]
    [InlineData("{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":\"ManagePermissionGrantsForSelf.microsoft-user-default-low\"}}", "TSR3018")]
    [InlineData("{\"defaultUserRolePermissions\":[]}", "TSR3018")]
    [InlineData("[]", "TSR3018")]
    public async Task Patch_BadBody_400NamingTheRuleAndNothingChanged(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await StoredAsync();
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, Path, body));
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task Patch_UnknownPolicy_MessageListsTheAllowedValues()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, error) = await admin.JsonAsync(HttpMethod.Patch, Path, Assign("everyone"));
        var message = error!["error"]!["message"]!.GetValue<string>();
        Assert.Contains(UserConsentPolicies.LowRiskVerifiedPublishers, message, StringComparison.Ordinal);
        Assert.Contains(UserConsentPolicies.AllUserConsentable, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_StaleETag_412()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var read = await admin.SendAsync(HttpMethod.Get, Path);
        var etag = read.Headers.ETag!.ToString();
        var target = await StoredAsync() == UserConsentPolicies.AllUserConsentable ? UserConsentPolicies.LowRiskVerifiedPublishers : UserConsentPolicies.AllUserConsentable;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign(target), etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Patch, Path, Assign(), etag));
        Assert.Equal(target, await StoredAsync());
    }

    [Theory]
    [InlineData(AdminPermissions.PolicyReadAll)]
    [InlineData(AdminPermissions.PolicyReadWritePermissionGrant)]
    [InlineData(AdminPermissions.ApplicationReadWriteAll)]
    public async Task Patch_WithoutPolicyReadWriteAuthorization_403(string permission)
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, permission);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Patch, Path, Assign()));
    }

    [Fact]
    public async Task Get_WithoutPolicyRead_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, Path));
    }

    [Fact]
    public async Task Patch_OtherTenant_Untouched()
    {
        var other = await server.Directory.CreateTenantAsync("authz-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        using var admin = await AdminClient.BootstrapAsync(server);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path, Assign())).Status);
        Assert.Equal(UserConsentPolicies.LowRiskVerifiedPublishers,
            await other.QueryAsync(db => db.Tenants.Where(t => t.Id == other.TenantId).Select(t => t.UserConsentPolicy).FirstAsync()));
    }
}
