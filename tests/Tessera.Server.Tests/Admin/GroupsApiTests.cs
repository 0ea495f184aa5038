using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class GroupsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static object SecurityGroup(string displayName, string? mailNickname = null)
        => new { displayName, mailEnabled = false, securityEnabled = true, mailNickname = mailNickname ?? "g" + Guid.NewGuid().ToString("N")[..8] };

    private Dictionary<string, string> Reference(object id) => new() { ["@odata.id"] = $"{server.Origin}/admin/v1/directoryObjects/{id}" };

    private static async Task<JsonNode> CreateAsync(AdminClient admin, string displayName = "Engineers", string? mailNickname = null)
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "groups", SecurityGroup(displayName, mailNickname));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!;
    }

    [Fact]
    public async Task Create_SecurityGroup_201InGraphShape()
    {
        using var writer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadWriteAll);
        var (status, created) = await writer.JsonAsync(HttpMethod.Post, "groups",
            new { displayName = "Payroll", description = "People who run payroll", mailEnabled = false, securityEnabled = true, mailNickname = "payroll" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("Payroll", created!["displayName"]!.GetValue<string>());
        Assert.Equal("People who run payroll", created["description"]!.GetValue<string>());
        Assert.Equal("payroll", created["mailNickname"]!.GetValue<string>());
        Assert.True(created["securityEnabled"]!.GetValue<bool>());
        Assert.False(created["mailEnabled"]!.GetValue<bool>());
        Assert.Empty(created["groupTypes"]!.AsArray());
        Assert.StartsWith("W/\"", created["@odata.etag"]!.GetValue<string>(), StringComparison.Ordinal);

        var audit = await AdminAudit.ForTargetAsync(server, created["id"]!.GetValue<string>());
        Assert.Equal("Add group", Assert.Single(audit)["activityDisplayName"]!.GetValue<string>());
        Assert.Equal("GroupManagement", audit[0]["category"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{}", "TSR3015")]
    [InlineData("{\"displayName\":\" \"}", "TSR3015")]
    [InlineData("{\"displayName\":\"x\",\"mailEnabled\":true}", "TSR3029")]
    [InlineData("{\"displayName\":\"x\",\"groupTypes\":[\"Unified\"]}", "TSR3029")]
    [InlineData("{\"displayName\":\"x\",\"mailNickname\":\"has space\"}", "TSR3030")]
    [InlineData("{\"displayName\":\"x\",\"mailNickname\":\"\"}", "TSR3030")]
    [InlineData("{\"displayName\":\"x\",\"mailNickname\":\"a@b\"}", "TSR3030")]
    [InlineData("{\"displayName\":\"x\",\"id\":\"00000000-0000-0000-0000-000000000001\"}", "TSR3019")]
    [InlineData("{\"displayName\":42}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"securityEnabled\":\"true\"}", "TSR3018")]
    [InlineData("[]", "TSR3018")]
    public async Task Create_BreaksARule_400NamingTheRuleAndNothingWritten(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await server.Directory.QueryAsync(db => db.Groups.CountAsync());
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, "groups", body));
        Assert.Equal(before, await server.Directory.QueryAsync(db => db.Groups.CountAsync()));
    }

    [Fact]
    public async Task Create_WithReadOnlyPermission_403()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, "groups", SecurityGroup("nope")));
    }

    [Fact]
    public async Task Read_WithoutGroupPermission_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, "groups"));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, $"groups/{Guid.NewGuid()}/members"));
    }

    [Fact]
    public async Task GetAndList_GroupReader_SeesGroupsFilteredAndSelected()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var nickname = "n" + Guid.NewGuid().ToString("N")[..8];
        var created = await CreateAsync(admin, "Filter me", nickname);
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadAll);

        using var response = await reader.SendAsync(HttpMethod.Get, $"groups/{created["id"]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created["@odata.etag"]!.GetValue<string>(), response.Headers.ETag?.ToString());

        var (_, byNickname) = await reader.JsonAsync(HttpMethod.Get, $"groups?$filter=mailNickname eq '{nickname}' and securityEnabled eq true&$select=displayName&$count=true");
        Assert.Equal(1, byNickname!["@odata.count"]!.GetValue<int>());
        var only = byNickname["value"]![0]!.AsObject();
        Assert.Equal(["id", "displayName"], only.Select(p => p.Key).Where(k => !k.StartsWith('@')));

        var (_, byName) = await reader.JsonAsync(HttpMethod.Get, "groups?$filter=startswith(displayName,'Filter')");
        Assert.Contains(byName!["value"]!.AsArray(), g => g!["id"]!.GetValue<string>() == created["id"]!.GetValue<string>());
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await reader.JsonAsync(HttpMethod.Get, "groups?$filter=description eq 'x'"));
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PATCH", "")]
    [InlineData("DELETE", "")]
    [InlineData("GET", "/members")]
    [InlineData("POST", "/members/$ref")]
    public async Task AnyOperation_UnknownGroup_404(string method, string suffix)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();
        object? body = method switch { "PATCH" => new { displayName = "x" }, "POST" => Reference(user.Id), _ => null };
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(new HttpMethod(method), $"groups/{Guid.NewGuid()}{suffix}", body));
    }

    [Fact]
    public async Task Patch_WithCurrentETag_204ThenStaleETag_412()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, "Old name");
        var id = created["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"groups/{id}", new { displayName = "New name", description = "d" }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Patch, $"groups/{id}", new { displayName = "Lost update" }, etag));
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Delete, $"groups/{id}", ifMatch: etag));

        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"groups/{id}");
        Assert.Equal("New name", read!["displayName"]!.GetValue<string>());
        Assert.NotEqual(etag, read["@odata.etag"]!.GetValue<string>());
        var audit = await AdminAudit.ForTargetAsync(server, id);
        var rename = audit.Single(e => e["activityDisplayName"]!.GetValue<string>() == "Update group")["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal("Old name", rename["oldValue"]!.GetValue<string>());
        Assert.Equal("New name", rename["newValue"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"displayName\":\"\"}", "TSR3015")]
    [InlineData("{\"mailEnabled\":true}", "TSR3029")]
    [InlineData("{\"mailNickname\":\"no spaces please\"}", "TSR3030")]
    [InlineData("{\"createdDateTime\":\"2020-01-01T00:00:00Z\"}", "TSR3019")]
    public async Task Patch_BreaksARule_400AndNothingChanged(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, $"groups/{created["id"]}", body));
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"groups/{created["id"]}");
        Assert.Equal(created["@odata.etag"]!.GetValue<string>(), read!["@odata.etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_Group_404AfterwardsAndAudited()
    {
        using var writer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadWriteAll);
        var created = await CreateAsync(writer);
        var user = await server.Directory.CreateUserAsync();
        await writer.JsonAsync(HttpMethod.Post, $"groups/{created["id"]}/members/$ref", Reference(user.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await writer.JsonAsync(HttpMethod.Delete, $"groups/{created["id"]}")).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await writer.JsonAsync(HttpMethod.Get, $"groups/{created["id"]}"));
        Assert.False(await server.Directory.QueryAsync(db => db.GroupMembers.AnyAsync(m => m.MemberId == user.Id)));
        var audit = await AdminAudit.ForTargetAsync(server, created["id"]!.GetValue<string>());
        Assert.Equal(["Add group", "Add member to group", "Delete group"], audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Members_AddListRemove_GraphRefsAndUserShapes()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        var alice = await server.Directory.CreateUserAsync();
        var bob = await server.Directory.CreateUserAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(alice.Id))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(bob.Id))).Status);

        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadAll);
        var (status, members) = await reader.JsonAsync(HttpMethod.Get, $"groups/{id}/members?$count=true");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, members!["@odata.count"]!.GetValue<int>());
        var first = members["value"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == alice.Id.ToString());
        Assert.Equal("#microsoft.graph.user", first!["@odata.type"]!.GetValue<string>());
        Assert.Equal(alice.UserName, first["userPrincipalName"]!.GetValue<string>());

        var (_, filtered) = await reader.JsonAsync(HttpMethod.Get, $"groups/{id}/members?$filter=userPrincipalName eq '{bob.UserName}'");
        Assert.Equal(bob.Id.ToString(), Assert.Single(filtered!["value"]!.AsArray())!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"groups/{id}/members/{alice.Id}/$ref")).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, $"groups/{id}/members/{alice.Id}/$ref"));
        var (_, after) = await reader.JsonAsync(HttpMethod.Get, $"groups/{id}/members");
        Assert.Equal(bob.Id.ToString(), Assert.Single(after!["value"]!.AsArray())!["id"]!.GetValue<string>());

        var audit = await AdminAudit.ForTargetAsync(server, id);
        Assert.Equal(["Add group", "Add member to group", "Add member to group", "Remove member from group"],
            audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Members_AddTwice_204NoDuplicateNoSecondAuditEntry()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        var user = await server.Directory.CreateUserAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(user.Id))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(user.Id))).Status);
        var (_, members) = await admin.JsonAsync(HttpMethod.Get, $"groups/{id}/members");
        Assert.Single(members!["value"]!.AsArray());
        Assert.Single(await AdminAudit.ForTargetAsync(server, id), e => e["activityDisplayName"]!.GetValue<string>() == "Add member to group");
    }

    [Fact]
    public async Task Members_AddSomethingElse_RefusedWithTheReason()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        var other = await CreateAsync(admin, "Nested?");
        var foreignTenant = await server.Directory.CreateTenantAsync($"t{Guid.NewGuid():N}"[..10] + ".example");
        var stranger = await foreignTenant.CreateUserAsync();

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3031", await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(other["id"]!)));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(stranger.Id)));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", Reference(Guid.NewGuid())));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", new Dictionary<string, string> { ["@odata.id"] = "not-a-reference" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", "{}"));
    }

    [Fact]
    public async Task Members_ChangeWithReadPermission_403()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var user = await server.Directory.CreateUserAsync();
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, $"groups/{created["id"]}/members/$ref", Reference(user.Id)));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Delete, $"groups/{created["id"]}/members/{user.Id}/$ref"));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Delete, $"groups/{created["id"]}"));
    }
}
