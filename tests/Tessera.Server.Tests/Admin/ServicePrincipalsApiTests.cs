using System.Net;
using System.Text.Json.Nodes;
using Tessera.Directory.Applications;
using Tessera.Policy.Admin;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class ServicePrincipalsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static object Grant(Guid principalId, Guid resourceId, Guid appRoleId)
        => new { principalId = principalId.ToString(), resourceId = resourceId.ToString(), appRoleId = appRoleId.ToString() };

    private static Guid Role(Application api, string value) => api.AppRoles.Single(r => r.Value == value).Id;

    private Task<Application> RegisterApiAsync() => server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..8]);

    private async Task<(Application App, string Secret)> RegisterDaemonAsync()
    {
        var daemon = await server.Directory.RegisterAsync(new NewApplication("daemon " + Guid.NewGuid().ToString("N")[..6]));
        return (daemon, await server.Directory.AddSecretAsync(daemon.AppId));
    }

    private async Task<TokenResponse> ClientCredentialsAsync(Application daemon, string secret, Application api)
    {
        using var http = server.CreateHttpClient();
        return await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", api.IdentifierUris[0] + "/.default"));
    }

    private static IEnumerable<string> Roles(TokenResponse token) => token.Access.Claims.Where(c => c.Type == "roles").Select(c => c.Value);

    [Fact]
    public async Task List_EveryApplication_HasAServicePrincipalWhoseIdIsTheAppId()
    {
        var api = await RegisterApiAsync();
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);
        var (status, page) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals?$filter=appId eq '{api.AppId}'");
        Assert.Equal(HttpStatusCode.OK, status);
        var sp = page!["value"]!.AsArray().Single()!;
        Assert.Equal(api.AppId.ToString(), sp["id"]!.GetValue<string>());
        Assert.Equal(api.AppId.ToString(), sp["appId"]!.GetValue<string>());
        Assert.Equal(api.DisplayName, sp["displayName"]!.GetValue<string>());
        Assert.True(sp["accountEnabled"]!.GetValue<bool>());
        Assert.False(sp["appRoleAssignmentRequired"]!.GetValue<bool>());
        Assert.Equal("Application", sp["servicePrincipalType"]!.GetValue<string>());
        Assert.Equal([api.IdentifierUris[0], api.AppId.ToString()], sp["servicePrincipalNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["Orders.Read.All", "Orders.Approver"], sp["appRoles"]!.AsArray().Select(r => r!["value"]!.GetValue<string>()));
        Assert.Equal(3, sp["oauth2PermissionScopes"]!.AsArray().Count);
        Assert.NotNull(sp["@odata.etag"]);

        var (_, byName) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals?$filter=startswith(displayName,'{api.DisplayName}')&$select=appId");
        Assert.Equal(["id", "appId"], byName!["value"]![0]!.AsObject().Select(p => p.Key).Where(k => !k.StartsWith('@')));
    }

    [Fact]
    public async Task Get_ByIdOrAppIdFunction_SameObjectWithETag()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        using var byId = await admin.SendAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}");
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.NotNull(byId.Headers.ETag);
        var (_, byAppId) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals(appId='{api.AppId}')");
        Assert.Equal(api.AppId.ToString(), byAppId!["id"]!.GetValue<string>());
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{Guid.NewGuid()}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.Id}"));
    }

    [Fact]
    public async Task Patch_WithETag_ChangesTheSwitchesOnceAndAudits()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}");
        var etag = read!["@odata.etag"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{api.AppId}",
            new { accountEnabled = false, appRoleAssignmentRequired = true }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{api.AppId}", new { accountEnabled = true }, etag));

        var (_, after) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}");
        Assert.False(after!["accountEnabled"]!.GetValue<bool>());
        Assert.True(after["appRoleAssignmentRequired"]!.GetValue<bool>());
        Assert.NotEqual(etag, after["@odata.etag"]!.GetValue<string>());

        // The application registration shares the version: its ETag moved too.
        var (_, application) = await admin.JsonAsync(HttpMethod.Get, $"applications/{api.Id}");
        Assert.Equal(after["@odata.etag"]!.GetValue<string>(), application!["@odata.etag"]!.GetValue<string>());

        var (_, disabled) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals?$filter=accountEnabled eq false and appId eq '{api.AppId}'");
        Assert.Single(disabled!["value"]!.AsArray());

        var entry = (await AdminAudit.ForTargetAsync(server, api.AppId.ToString())).Single(e => e["activityDisplayName"]!.GetValue<string>() == "Update service principal");
        var changed = entry["targetResources"]![0]!["modifiedProperties"]!.AsArray();
        Assert.Contains(changed, p => p!["displayName"]!.GetValue<string>() == "accountEnabled" && p["newValue"]!.GetValue<string>() == "False");
        Assert.Contains(changed, p => p!["displayName"]!.GetValue<string>() == "appRoleAssignmentRequired" && p["newValue"]!.GetValue<string>() == "True");
    }

    [Theory]
    [InlineData("{\"displayName\":\"renamed\"}", "TSR3037")]
    [InlineData("{\"accountEnabled\":true,\"appRoles\":[]}", "TSR3037")]
    [InlineData("{\"accountEnabled\":\"no\"}", "TSR3018")]
    [InlineData("{\"appRoleAssignmentRequired\":1}", "TSR3018")]
    [InlineData("[true]", "TSR3018")]
    public async Task Patch_BadBody_400NamingTheRule(string body, string code)
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{api.AppId}", body));
    }

    [Fact]
    public async Task Patch_LockOutOfAdminApi_Refused()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3038",
            await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{adminApi}", new { accountEnabled = false }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3047",
            await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{adminApi}", new { appRoleAssignmentRequired = true }));
    }

    [Fact]
    public async Task Patch_DisableOwnServicePrincipal_Refused()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3039",
            await caller.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{caller.ClientId}", new { accountEnabled = false }));
        Assert.Equal(HttpStatusCode.NoContent,
            (await caller.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{caller.ClientId}", new { appRoleAssignmentRequired = false })).Status);
    }

    [Fact]
    public async Task AppRoleAssignedTo_GrantThenRemove_TokenRolesFollow()
    {
        var api = await RegisterApiAsync();
        var (daemon, secret) = await RegisterDaemonAsync();
        using var granter = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AppRoleAssignmentReadWriteAll);
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);

        var (status, created) = await granter.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo",
            Grant(daemon.AppId, api.AppId, Role(api, "Orders.Read.All")));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        var assignmentId = created!["id"]!.GetValue<string>();
        Assert.Equal(daemon.AppId.ToString(), created["principalId"]!.GetValue<string>());
        Assert.Equal("ServicePrincipal", created["principalType"]!.GetValue<string>());
        Assert.Equal(daemon.DisplayName, created["principalDisplayName"]!.GetValue<string>());
        Assert.Equal(api.AppId.ToString(), created["resourceId"]!.GetValue<string>());
        Assert.Equal(api.DisplayName, created["resourceDisplayName"]!.GetValue<string>());
        Assert.Equal(Role(api, "Orders.Read.All").ToString(), created["appRoleId"]!.GetValue<string>());
        Assert.NotNull(created["createdDateTime"]);

        var granted = await ClientCredentialsAsync(daemon, secret, api);
        granted.AssertSuccess();
        Assert.Equal(["Orders.Read.All"], Roles(granted));

        var (_, assignedTo) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/appRoleAssignedTo");
        Assert.Equal(assignmentId, assignedTo!["value"]!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.Equal(daemon.DisplayName, assignedTo["value"]![0]!["principalDisplayName"]!.GetValue<string>());
        var (_, held) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals/{daemon.AppId}/appRoleAssignments");
        Assert.Equal(api.DisplayName, held!["value"]!.AsArray().Single()!["resourceDisplayName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await granter.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{api.AppId}/appRoleAssignedTo/{assignmentId}")).Status);
        var removed = await ClientCredentialsAsync(daemon, secret, api);
        removed.AssertSuccess();
        Assert.Empty(Roles(removed));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004",
            await granter.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{api.AppId}/appRoleAssignedTo/{assignmentId}"));

        var activities = (await AdminAudit.ForTargetAsync(server, daemon.AppId.ToString())).Select(e => e["activityDisplayName"]!.GetValue<string>());
        Assert.Equal(["Add app role assignment to service principal", "Remove app role assignment from service principal"], activities);
    }

    [Fact]
    public async Task AppRoleAssignedTo_GrantToUser_ListedForTheUserAndAudited()
    {
        var api = await RegisterApiAsync();
        var user = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo",
            Grant(user.Id, api.AppId, Role(api, "Orders.Approver")));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        Assert.Equal("User", created!["principalType"]!.GetValue<string>());
        Assert.Equal(user.DisplayName, created["principalDisplayName"]!.GetValue<string>());

        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        foreach (var id in new[] { user.Id.ToString(), user.UserName! })
        {
            var (_, page) = await reader.JsonAsync(HttpMethod.Get, $"users/{id}/appRoleAssignments");
            Assert.Equal(created["id"]!.GetValue<string>(), page!["value"]!.AsArray().Single()!["id"]!.GetValue<string>());
        }

        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await reader.JsonAsync(HttpMethod.Get, $"users/{Guid.NewGuid()}/appRoleAssignments"));
        var entry = (await AdminAudit.ForTargetAsync(server, user.Id.ToString())).Single();
        Assert.Equal("Add app role assignment grant to user", entry["activityDisplayName"]!.GetValue<string>());
        Assert.Contains(entry["targetResources"]![0]!["modifiedProperties"]!.AsArray(),
            p => p!["displayName"]!.GetValue<string>() == "AppRole.Value" && p["newValue"]!.GetValue<string>() == "Orders.Approver");
    }

    [Fact]
    public async Task AppRoleAssignedTo_DefaultAccess_OnlyForAnApiWithoutRoles()
    {
        var bare = await server.Directory.RegisterAsync(new NewApplication("no roles " + Guid.NewGuid().ToString("N")[..6]));
        var user = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{bare.AppId}/appRoleAssignedTo", Grant(user.Id, bare.AppId, Guid.Empty));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());

        var api = await RegisterApiAsync();
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3042",
            await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", Grant(user.Id, api.AppId, Guid.Empty)));
    }

    public static TheoryData<string, string> InvalidGrants => new()
    {
        { "resourceId", "TSR3040" },
        { "unknownPrincipal", "TSR3041" },
        { "objectIdOfApplication", "TSR3041" },
        { "unknownRole", "TSR3042" },
        { "disabledRole", "TSR3043" },
        { "applicationRoleToUser", "TSR3044" },
        { "userRoleToApplication", "TSR3044" },
        { "missingPrincipal", "TSR3018" },
        { "notJson", "TSR3018" },
    };

    [Theory]
    [MemberData(nameof(InvalidGrants))]
    public async Task AppRoleAssignedTo_InvalidGrant_400NamingTheRuleAndNothingWritten(string problem, string code)
    {
        var api = await server.Directory.RegisterAsync(new NewApplication("roles api " + Guid.NewGuid().ToString("N")[..6])
        {
            AppRoles =
            [
                new AppRole { Id = Guid.NewGuid(), Value = "Jobs.Run", AllowedMemberTypes = ["Application"] },
                new AppRole { Id = Guid.NewGuid(), Value = "Jobs.Approve", AllowedMemberTypes = ["User"] },
                new AppRole { Id = Guid.NewGuid(), Value = "Jobs.Old", AllowedMemberTypes = ["Application", "User"], IsEnabled = false },
            ],
        });
        var (daemon, _) = await RegisterDaemonAsync();
        var user = await server.Directory.CreateUserAsync();
        object body = problem switch
        {
            "resourceId" => Grant(daemon.AppId, daemon.AppId, Role(api, "Jobs.Run")),
            "unknownPrincipal" => Grant(Guid.NewGuid(), api.AppId, Role(api, "Jobs.Run")),
            "objectIdOfApplication" => Grant(daemon.Id, api.AppId, Role(api, "Jobs.Run")),
            "unknownRole" => Grant(daemon.AppId, api.AppId, Guid.NewGuid()),
            "disabledRole" => Grant(daemon.AppId, api.AppId, Role(api, "Jobs.Old")),
            "applicationRoleToUser" => Grant(user.Id, api.AppId, Role(api, "Jobs.Run")),
            "userRoleToApplication" => Grant(daemon.AppId, api.AppId, Role(api, "Jobs.Approve")),
            "missingPrincipal" => new { resourceId = api.AppId.ToString(), appRoleId = Role(api, "Jobs.Run").ToString() },
            _ => "{not json",
        };

        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", body));
        var (_, assigned) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/appRoleAssignedTo");
        Assert.Empty(assigned!["value"]!.AsArray());
    }

    [Fact]
    public async Task AppRoleAssignedTo_Duplicate_409NamingTheExistingAssignment()
    {
        var api = await RegisterApiAsync();
        var (daemon, _) = await RegisterDaemonAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var grant = Grant(daemon.AppId, api.AppId, Role(api, "Orders.Read.All"));
        var (_, first) = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", grant);
        var duplicate = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", grant);
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3045", duplicate);
        Assert.Contains(first!["id"]!.GetValue<string>(), duplicate.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppRoleAssignedTo_UnknownServicePrincipal_404()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var missing = Guid.NewGuid();
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004",
            await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{missing}/appRoleAssignedTo", Grant(Guid.NewGuid(), missing, Guid.Empty)));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{missing}/appRoleAssignedTo"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{missing}/appRoleAssignments"));
    }

    [Fact]
    public async Task AppRoleAssignedTo_WithoutAppRoleAssignmentPermission_403()
    {
        var api = await RegisterApiAsync();
        var (daemon, _) = await RegisterDaemonAsync();
        using var appAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await appAdmin.JsonAsync(HttpMethod.Post,
            $"servicePrincipals/{api.AppId}/appRoleAssignedTo", Grant(daemon.AppId, api.AppId, Role(api, "Orders.Read.All"))));
    }

    [Fact]
    public async Task AppRoleAssignedTo_AdminApiPermission_OnlyWhatTheCallerHolds()
    {
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var roles = await server.Directory.QueryAsync(db => Task.FromResult(db.Applications.Single(a => a.AppId == adminApi).AppRoles));
        Guid Permission(string value) => roles.Single(r => r.Value == value).Id;
        var (daemon, _) = await RegisterDaemonAsync();
        using var granter = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AppRoleAssignmentReadWriteAll);

        // Not a way up: the top permission, or anything else the granter lacks, even for itself.
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3046", await granter.JsonAsync(HttpMethod.Post, $"servicePrincipals/{adminApi}/appRoleAssignedTo",
            Grant(granter.ClientId, adminApi, Permission(AdminPermissions.DirectoryReadWriteAll))));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3046", await granter.JsonAsync(HttpMethod.Post, $"servicePrincipals/{adminApi}/appRoleAssignedTo",
            Grant(daemon.AppId, adminApi, Permission(AdminPermissions.UserReadAll))));

        // What it holds it may pass on.
        var (status, created) = await granter.JsonAsync(HttpMethod.Post, $"servicePrincipals/{adminApi}/appRoleAssignedTo",
            Grant(daemon.AppId, adminApi, Permission(AdminPermissions.AppRoleAssignmentReadWriteAll)));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());

        // Nor a way to strip others of what it lacks: the bootstrap client's Directory.ReadWrite.All stays.
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, page) = await admin.JsonAsync(HttpMethod.Get,
            $"servicePrincipals/{adminApi}/appRoleAssignedTo?$filter=principalId eq '{server.Bootstrap.ClientId}'");
        var bootstrapGrant = page!["value"]!.AsArray().Single()!["id"]!.GetValue<string>();
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3046",
            await granter.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{adminApi}/appRoleAssignedTo/{bootstrapGrant}"));
    }

    [Fact]
    public async Task AppRoleAssignedTo_FilterAndPaging()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var users = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var user = await server.Directory.CreateUserAsync();
            users.Add(user.Id);
            Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo",
                Grant(user.Id, api.AppId, Role(api, "Orders.Approver")))).Status);
        }

        var (_, first) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/appRoleAssignedTo?$top=2&$count=true");
        Assert.Equal(3, first!["@odata.count"]!.GetValue<int>());
        Assert.Equal(2, first["value"]!.AsArray().Count);
        var next = new Uri(first["@odata.nextLink"]!.GetValue<string>()).PathAndQuery["/admin/v1/".Length..];
        var (_, second) = await admin.JsonAsync(HttpMethod.Get, next);
        Assert.Single(second!["value"]!.AsArray());

        var (_, one) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/appRoleAssignedTo?$filter=principalId eq '{users[1]}'");
        Assert.Equal(users[1].ToString(), one!["value"]!.AsArray().Single()!["principalId"]!.GetValue<string>());
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005",
            await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/appRoleAssignedTo?$filter=principalDisplayName eq 'x'"));
    }
}
