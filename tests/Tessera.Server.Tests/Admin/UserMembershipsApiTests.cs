using System.Net;
using System.Text.Json.Nodes;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>A user's groups: <c>memberOf</c>, <c>getMemberObjects</c> and <c>getMemberGroups</c>, in Graph's shapes.</summary>
public sealed class UserMembershipsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static readonly string[] Actions = ["getMemberObjects", "getMemberGroups"];

    /// <summary>Someone who reads memberships as Graph asks: a user permission and a group permission.</summary>
    private Task<AdminClient> ReaderAsync() => AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll, AdminPermissions.GroupReadAll);

    private async Task<Guid> CreateGroupAsync(AdminClient admin, string displayName, bool securityEnabled, params DirectoryUser[] members)
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "groups",
            new { displayName, mailEnabled = false, securityEnabled, mailNickname = "g" + Guid.NewGuid().ToString("N")[..8] });
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        var id = Guid.Parse(created!["id"]!.GetValue<string>());
        foreach (var member in members)
        {
            var reference = new Dictionary<string, string> { ["@odata.id"] = $"{server.Origin}/admin/v1/directoryObjects/{member.Id}" };
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"groups/{id}/members/$ref", reference)).Status);
        }

        return id;
    }

    /// <summary>A user in two security groups and one that is not, beside a group of someone else.</summary>
    private async Task<(DirectoryUser User, Guid[] Security, Guid Plain)> UserInGroupsAsync()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var other = await server.Directory.CreateUserAsync();
        var first = await CreateGroupAsync(admin, "Engineers", securityEnabled: true, user, other);
        var second = await CreateGroupAsync(admin, "On call", securityEnabled: true, user);
        var plain = await CreateGroupAsync(admin, "Book club", securityEnabled: false, user);
        await CreateGroupAsync(admin, "Payroll", securityEnabled: true, other);
        return (user, [first, second], plain);
    }

    private static string[] Sorted(IEnumerable<Guid> ids) => [.. ids.Select(id => id.ToString("D")).Order(StringComparer.Ordinal)];

    private static string[] Ids(JsonNode? json) => [.. json!["value"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("getMemberObjects")]
    [InlineData("getMemberGroups")]
    public async Task Action_ByIdOrUserPrincipalName_TheUsersGroupIds(string action)
    {
        var (user, security, plain) = await UserInGroupsAsync();
        using var reader = await ReaderAsync();

        var (status, all) = await reader.JsonAsync(HttpMethod.Post, $"users/{user.Id}/{action}", new { securityEnabledOnly = false });
        Assert.True(status == HttpStatusCode.OK, all?.ToJsonString());
        Assert.Equal(Sorted([.. security, plain]), Ids(all));
        Assert.Equal($"{server.Origin}/admin/v1/$metadata#Collection(Edm.String)", all!["@odata.context"]!.GetValue<string>());

        var (byName, securityOnly) = await reader.JsonAsync(HttpMethod.Post, $"users/{user.UserName!.ToUpperInvariant()}/{action}", new { securityEnabledOnly = true });
        Assert.Equal(HttpStatusCode.OK, byName);
        Assert.Equal(Sorted(security), Ids(securityOnly));
    }

    [Fact]
    public async Task Action_UserInNoGroup_EmptyList()
    {
        var user = await server.Directory.CreateUserAsync();
        using var reader = await ReaderAsync();
        var (status, json) = await reader.JsonAsync(HttpMethod.Post, $"users/{user.Id}/getMemberObjects", new { securityEnabledOnly = false });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(json!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("{}", "TSR3023", "securityEnabledOnly")]
    [InlineData("{\"securityEnabledOnly\":null}", "TSR3023", "securityEnabledOnly")]
    [InlineData("{\"securityEnabledOnly\":\"true\"}", "TSR3018", "must be true or false")]
    [InlineData("{\"securityEnabledOnly\":1}", "TSR3018", "must be true or false")]
    [InlineData("{\"securityEnabled\":true}", "TSR3018", "'securityEnabled' is not a parameter of")]
    [InlineData("{\"securityEnabledOnly\":true,\"types\":[\"group\"]}", "TSR3018", "'types' is not a parameter of")]
    [InlineData("[true]", "TSR3018", "JSON object")]
    [InlineData("not json", "TSR3018", "not valid JSON")]
    public async Task Action_BadBody_400NamingWhatIsWrong(string body, string code, string says)
    {
        var user = await server.Directory.CreateUserAsync();
        using var reader = await ReaderAsync();
        foreach (var action in Actions)
        {
            var response = await reader.JsonAsync(HttpMethod.Post, $"users/{user.Id}/{action}", body);
            GraphAssert.Error(HttpStatusCode.BadRequest, code, response);
            Assert.Contains(says, response.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Endpoints_UnknownUserOrUserOfAnotherTenant_404()
    {
        var elsewhere = await server.Directory.CreateTenantAsync($"members-{Guid.NewGuid():N}.example.com");
        var foreign = await elsewhere.CreateUserAsync();
        using var reader = await ReaderAsync();
        foreach (var id in new[] { Guid.NewGuid().ToString(), foreign.Id.ToString(), foreign.UserName!, "nobody@example.com" })
        {
            GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await reader.JsonAsync(HttpMethod.Get, $"users/{id}/memberOf"));
            foreach (var action in Actions)
            {
                GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004",
                    await reader.JsonAsync(HttpMethod.Post, $"users/{id}/{action}", new { securityEnabledOnly = false }));
            }
        }
    }

    [Fact]
    public async Task MemberOf_GroupsAsDirectoryObjects_PagedAndFiltered()
    {
        var (user, security, plain) = await UserInGroupsAsync();
        using var reader = await ReaderAsync();

        var (status, first) = await reader.JsonAsync(HttpMethod.Get, $"users/{user.UserName}/memberOf?$top=2");
        Assert.True(status == HttpStatusCode.OK, first?.ToJsonString());
        Assert.Equal(2, first!["value"]!.AsArray().Count);
        Assert.Equal($"{server.Origin}/admin/v1/$metadata#memberOf", first["@odata.context"]!.GetValue<string>());
        var next = first["@odata.nextLink"]!.GetValue<string>();
        var (_, second) = await reader.JsonAsync(HttpMethod.Get, next);
        Assert.Null(second!["@odata.nextLink"]);

        var groups = first["value"]!.AsArray().Concat(second["value"]!.AsArray()).Select(g => g!).ToList();
        Assert.Equal(Sorted([.. security, plain]), groups.Select(g => g["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(groups, g => Assert.Equal("#microsoft.graph.group", g["@odata.type"]!.GetValue<string>()));
        Assert.All(groups, g => Assert.Null(g["@odata.etag"]));
        var bookClub = Assert.Single(groups, g => g["displayName"]!.GetValue<string>() == "Book club");
        Assert.False(bookClub["securityEnabled"]!.GetValue<bool>());
        Assert.Equal(plain.ToString(), bookClub["id"]!.GetValue<string>());

        var (_, filtered) = await reader.JsonAsync(HttpMethod.Get, $"users/{user.Id}/memberOf?$filter=securityEnabled eq false&$count=true");
        Assert.Equal(plain.ToString(), Assert.Single(filtered!["value"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(1, filtered["@odata.count"]!.GetValue<int>());
    }

    [Fact]
    public async Task MemberOf_UserReadAllAlone_403_DirectoryReadAll_200()
    {
        var (user, _, _) = await UserInGroupsAsync();
        using var userReader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        var refused = await userReader.JsonAsync(HttpMethod.Get, $"users/{user.Id}/memberOf");
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", refused);
        Assert.Contains("User.Read.All and Group.Read.All", refused.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var directoryReader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DirectoryReadAll);
        Assert.Equal(HttpStatusCode.OK, (await directoryReader.JsonAsync(HttpMethod.Get, $"users/{user.Id}/memberOf")).Status);
    }
}
