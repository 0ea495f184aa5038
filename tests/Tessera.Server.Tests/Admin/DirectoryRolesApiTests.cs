using System.Net;
using System.Text.Json.Nodes;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class DirectoryRolesApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Definitions = "roleManagement/directory/roleDefinitions";
    private const string Assignments = "roleManagement/directory/roleAssignments";
    private static readonly string GlobalAdministrator = AdminRoles.GlobalAdministrator.TemplateId.ToString();

    private static object Assignment(object principalId, object roleDefinitionId) => new { principalId, roleDefinitionId, directoryScopeId = "/" };

    private static async Task<JsonNode> AssignAsync(AdminClient admin, Guid principalId, Guid roleDefinitionId)
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, Assignments, Assignment(principalId.ToString(), roleDefinitionId.ToString()));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!;
    }

    /// <summary>Removes every Global Administrator assignment (as the bootstrap application, which may), so a test starts from none.</summary>
    private static async Task RemoveAllGlobalAdministratorsAsync(AdminClient admin)
    {
        var (_, page) = await admin.JsonAsync(HttpMethod.Get, $"{Assignments}?$filter=roleDefinitionId eq '{GlobalAdministrator}'&$top=999");
        foreach (var assignment in page!["value"]!.AsArray())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Assignments}/{assignment!["id"]}")).Status);
        }
    }

    [Fact]
    public async Task Definitions_List_TheBuiltInRolesWithTheirPermissions()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.RoleManagementReadDirectory);
        var (status, page) = await reader.JsonAsync(HttpMethod.Get, $"{Definitions}?$count=true");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(AdminRoles.All.Count, page!["@odata.count"]!.GetValue<int>());
        var global = page["value"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == GlobalAdministrator)!;
        Assert.Equal("Global Administrator", global["displayName"]!.GetValue<string>());
        Assert.Equal(GlobalAdministrator, global["templateId"]!.GetValue<string>());
        Assert.True(global["isBuiltIn"]!.GetValue<bool>());
        Assert.Equal([AdminPermissions.DirectoryReadWriteAll],
            global["rolePermissions"]![0]!["allowedResourceActions"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task Definitions_FilterSelectAndPaging_InMemoryLikeTheOthers()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, filtered) = await admin.JsonAsync(HttpMethod.Get, $"{Definitions}?$filter=startswith(displayName,'Security')&$select=displayName");
        Assert.Equal(["Security Administrator", "Security Reader"], filtered!["value"]!.AsArray().Select(r => r!["displayName"]!.GetValue<string>()));
        Assert.All(filtered["value"]!.AsArray(), r => Assert.Equal(["id", "displayName"], r!.AsObject().Select(p => p.Key).Where(k => !k.StartsWith('@'))));

        var seen = new List<string>();
        var next = $"{Definitions}?$top=4";
        while (next is not null)
        {
            var (_, page) = await admin.JsonAsync(HttpMethod.Get, next);
            seen.AddRange(page!["value"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
            var link = page["@odata.nextLink"]?.GetValue<string>();
            next = link?[link.IndexOf("roleManagement", StringComparison.Ordinal)..];
        }

        Assert.Equal(AdminRoles.All.Select(r => r.TemplateId.ToString()).Order(), seen.Order());
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await admin.JsonAsync(HttpMethod.Get, $"{Definitions}?$filter=description eq 'x'"));
    }

    [Fact]
    public async Task Definitions_GetOne_ByTemplateIdOr404()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.RoleManagementReadDirectory);
        var (status, role) = await reader.JsonAsync(HttpMethod.Get, $"{Definitions}/{AdminRoles.UserAdministrator.TemplateId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("User Administrator", role!["displayName"]!.GetValue<string>());
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await reader.JsonAsync(HttpMethod.Get, $"{Definitions}/{Guid.NewGuid()}"));
    }

    [Fact]
    public async Task Read_WithoutRoleManagementPermission_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, Definitions));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, Assignments));
    }

    [Fact]
    public async Task Assign_User_201ListedAndTheRoleTakesEffect()
    {
        var user = await server.Directory.CreateUserAsync();
        using (var before = await PersonAdminClient.SignInAsync(server, user.UserName!, AdminPermissions.UserReadAll))
        {
            // A consented scope alone gives a person nothing: the role is missing.
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await before.JsonAsync(HttpMethod.Get, "users"));
        }

        using var writer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.RoleManagementReadWriteDirectory);
        var created = await AssignAsync(writer, user.Id, AdminRoles.UserAdministrator.TemplateId);
        Assert.Equal(user.Id.ToString(), created["principalId"]!.GetValue<string>());
        Assert.Equal(AdminRoles.UserAdministrator.TemplateId.ToString(), created["roleDefinitionId"]!.GetValue<string>());
        Assert.Equal("/", created["directoryScopeId"]!.GetValue<string>());

        var (_, listed) = await writer.JsonAsync(HttpMethod.Get, $"{Assignments}?$filter=principalId eq '{user.Id}'");
        Assert.Equal(created["id"]!.GetValue<string>(), Assert.Single(listed!["value"]!.AsArray())!["id"]!.GetValue<string>());
        var (status, one) = await writer.JsonAsync(HttpMethod.Get, $"{Assignments}/{created["id"]}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(user.Id.ToString(), one!["principalId"]!.GetValue<string>());

        // Roles are read on every request, so the same kind of token now works.
        using var after = await PersonAdminClient.SignInAsync(server, user.UserName!, AdminPermissions.UserReadAll);
        Assert.Equal(HttpStatusCode.OK, (await after.JsonAsync(HttpMethod.Get, "users")).Status);

        var audit = await AdminAudit.ForTargetAsync(server, user.Id.ToString());
        var entry = Assert.Single(audit);
        Assert.Equal("Add member to role", entry["activityDisplayName"]!.GetValue<string>());
        Assert.Equal("RoleManagement", entry["category"]!.GetValue<string>());
        Assert.Equal("User Administrator", entry["targetResources"]![0]!["modifiedProperties"]![0]!["newValue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Assign_SameRoleTwice_409NamingTheExistingAssignment()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var first = await AssignAsync(admin, user.Id, AdminRoles.GlobalReader.TemplateId);
        var (status, error) = await admin.JsonAsync(HttpMethod.Post, Assignments, Assignment(user.Id.ToString(), AdminRoles.GlobalReader.TemplateId.ToString()));
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3034", (status, error));
        Assert.Contains(first["id"]!.GetValue<string>(), error!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_BreaksARule_400NamingTheRule()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var foreignTenant = await server.Directory.CreateTenantAsync($"t{Guid.NewGuid():N}"[..10] + ".example");
        var stranger = await foreignTenant.CreateUserAsync();
        var role = AdminRoles.SecurityReader.TemplateId.ToString();

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4009", await admin.JsonAsync(HttpMethod.Post, Assignments, Assignment(user.Id.ToString(), Guid.NewGuid().ToString())));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3032", await admin.JsonAsync(HttpMethod.Post, Assignments, Assignment(Guid.NewGuid().ToString(), role)));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3032", await admin.JsonAsync(HttpMethod.Post, Assignments, Assignment(stranger.Id.ToString(), role)));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3032", await admin.JsonAsync(HttpMethod.Post, Assignments, Assignment(server.Bootstrap.ClientId, role)));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3033", await admin.JsonAsync(HttpMethod.Post, Assignments,
            new { principalId = user.Id.ToString(), roleDefinitionId = role, directoryScopeId = "/administrativeUnits/1" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, Assignments, new { roleDefinitionId = role }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, Assignments, new { principalId = "alice", roleDefinitionId = role }));
        var (_, none) = await admin.JsonAsync(HttpMethod.Get, $"{Assignments}?$filter=principalId eq '{user.Id}'");
        Assert.Empty(none!["value"]!.AsArray());
    }

    [Fact]
    public async Task Assign_WithReadPermission_403()
    {
        var user = await server.Directory.CreateUserAsync();
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.RoleManagementReadDirectory);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, Assignments,
            Assignment(user.Id.ToString(), AdminRoles.GlobalAdministrator.TemplateId.ToString())));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Delete, $"{Assignments}/{Guid.NewGuid()}"));
    }

    [Fact]
    public async Task Unassign_204ThenGoneAndAudited()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var created = await AssignAsync(admin, user.Id, AdminRoles.ApplicationDeveloper.TemplateId);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Assignments}/{created["id"]}")).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"{Assignments}/{created["id"]}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, $"{Assignments}/{created["id"]}"));
        var audit = await AdminAudit.ForTargetAsync(server, user.Id.ToString());
        Assert.Equal(["Add member to role", "Remove member from role"], audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        Assert.Equal("Application Developer", audit[1]["targetResources"]![0]!["modifiedProperties"]![0]!["oldValue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unassign_LastGlobalAdministratorByAPerson_400ButAnApplicationMay()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await RemoveAllGlobalAdministratorsAsync(admin);
        var alice = await server.Directory.CreateUserAsync();
        var only = await AssignAsync(admin, alice.Id, AdminRoles.GlobalAdministrator.TemplateId);

        using var person = await PersonAdminClient.SignInAsync(server, alice.UserName!, AdminPermissions.DirectoryReadWriteAll);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3028", await person.JsonAsync(HttpMethod.Delete, $"{Assignments}/{only["id"]}"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3028", await person.JsonAsync(HttpMethod.Patch, $"users/{alice.Id}", new { accountEnabled = false }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3028", await person.JsonAsync(HttpMethod.Delete, $"users/{alice.Id}"));

        // With a second Global Administrator the first may step down.
        var bob = await server.Directory.CreateUserAsync();
        var second = (await person.JsonAsync(HttpMethod.Post, Assignments, Assignment(bob.Id.ToString(), GlobalAdministrator))).Json!;
        Assert.Equal(HttpStatusCode.NoContent, (await person.JsonAsync(HttpMethod.Delete, $"{Assignments}/{only["id"]}")).Status);

        // The break-glass application may remove the very last one.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Assignments}/{second["id"]}")).Status);
    }

    [Fact]
    public async Task Unassign_LastGlobalAdministrator_ADisabledHolderDoesNotCount()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await RemoveAllGlobalAdministratorsAsync(admin);
        var active = await server.Directory.CreateUserAsync();
        var dormant = await server.Directory.CreateUserAsync();
        var assignment = await AssignAsync(admin, active.Id, AdminRoles.GlobalAdministrator.TemplateId);
        await AssignAsync(admin, dormant.Id, AdminRoles.GlobalAdministrator.TemplateId);
        await server.Directory.SetUserEnabledAsync(dormant.Id, enabled: false);

        using var person = await PersonAdminClient.SignInAsync(server, active.UserName!, AdminPermissions.RoleManagementReadWriteDirectory);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3028", await person.JsonAsync(HttpMethod.Delete, $"{Assignments}/{assignment["id"]}"));
    }
}
