using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.Applications;
using Tessera.Directory.Groups;
using Tessera.Policy.Admin;
using Tessera.Policy.Tokens;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Groups in tokens: app roles assigned to a group reach its members' tokens (and satisfy assignment required), and the
/// <c>groups</c> claim appears when the registration the token is for asks, as a list or, past 200 groups, a pointer.
/// </summary>
public sealed class GroupTokenTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Scope = "openid profile offline_access";

    private Task<Application> RegisterApiAsync() => server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..8]);

    private static string ApiScope(Application api) => $"{Scope} {api.IdentifierUris[0]}/Orders.Read";

    private static Guid Role(Application api, string value) => api.AppRoles.Single(r => r.Value == value).Id;

    /// <summary>Groups straight into the database: hundreds of them take a moment this way.</summary>
    private async Task<IReadOnlyList<Guid>> CreateGroupsAsync(int count, Guid[] members, bool securityEnabled = true, TestDirectory? directory = null)
    {
        directory ??= server.Directory;
        var groups = Enumerable.Range(0, count).Select(i => new Group
        {
            Id = Guid.NewGuid(),
            TenantId = directory.TenantId,
            DisplayName = $"group {i} " + Guid.NewGuid().ToString("N")[..6],
            SecurityEnabled = securityEnabled,
            CreatedDateTime = DateTimeOffset.UtcNow,
            Members = [.. members.Select(m => new GroupMember { MemberId = m })],
        }).ToList();
        return await directory.QueryAsync(async db =>
        {
            db.Groups.AddRange(groups);
            await db.SaveChangesAsync();
            return (IReadOnlyList<Guid>)[.. groups.Select(g => g.Id)];
        });
    }

    private async Task<Guid> CreateGroupAsync(params Guid[] members) => (await CreateGroupsAsync(1, members)).Single();

    /// <summary>Sets an application's <c>groupMembershipClaims</c> in the directory (the admin API's PATCH sets the same column).</summary>
    private async Task SetGroupClaimsAsync(Application app, string value)
        => Assert.Equal(1, await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == app.AppId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.GroupMembershipClaims, value))));

    private async Task<string> GrantAsync(Guid principalId, Application resource, Guid appRoleId)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, json) = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{resource.AppId}/appRoleAssignedTo",
            new { principalId = principalId.ToString(), resourceId = resource.AppId.ToString(), appRoleId = appRoleId.ToString() });
        Assert.True(status == HttpStatusCode.Created, json?.ToJsonString());
        Assert.Equal(AppRoleAssignment.GroupPrincipalType, json!["principalType"]!.GetValue<string>());
        return json["id"]!.GetValue<string>();
    }

    private async Task RemoveMemberAsync(Guid groupId, Guid userId)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"groups/{groupId}/members/{userId}/$ref")).Status);
    }

    private async Task PatchServicePrincipalAsync(Guid appId, object body)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, json) = await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{appId}", body);
        Assert.True(status == HttpStatusCode.NoContent, json?.ToJsonString());
    }

    private async Task<TokenResponse> SignInAsync(CodeFlowClient client, string userName, string scope)
    {
        var (code, pkce, browser) = await client.SignInAsync(userName, scope);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return tokens;
    }

    private async Task<TokenResponse> RefreshAsync(CodeFlowClient client, TokenResponse tokens)
    {
        using var http = server.CreateHttpClient();
        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);
        refreshed.AssertSuccess();
        return refreshed;
    }

    private static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64UrlEncoder.Decode(new JsonWebToken(jwt).EncodedPayload)).RootElement;

    private static string[] Roles(TokenResponse tokens)
        => Payload(tokens.AccessToken).TryGetProperty("roles", out var roles) ? [.. roles.EnumerateArray().Select(r => r.GetString()!)] : [];

    /// <summary>The <c>groups</c> of a token, null when it has none; always a JSON array when present.</summary>
    private static string[]? Groups(string jwt)
    {
        if (!Payload(jwt).TryGetProperty("groups", out var groups))
        {
            return null;
        }

        Assert.Equal(JsonValueKind.Array, groups.ValueKind);
        return [.. groups.EnumerateArray().Select(g => g.GetString()!).Order(StringComparer.Ordinal)];
    }

    private static string[] Sorted(IEnumerable<Guid> ids) => [.. ids.Select(id => id.ToString("D")).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task GroupRole_MemberHasItNonMemberNot_RemovedMemberLosesItAtNextRefresh()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var member = await server.Directory.CreateUserAsync();
        var outsider = await server.Directory.CreateUserAsync();
        var group = await CreateGroupAsync(member.Id);
        await GrantAsync(group, api, Role(api, "Orders.Approver"));

        var tokens = await SignInAsync(client, member.UserName!, ApiScope(api));
        Assert.Equal(["Orders.Approver"], Roles(tokens));
        Assert.Empty(Roles(await SignInAsync(client, outsider.UserName!, ApiScope(api))));

        // Still a member: the refresh keeps the role. Removed: the next refresh drops it.
        tokens = await RefreshAsync(client, tokens);
        Assert.Equal(["Orders.Approver"], Roles(tokens));
        await RemoveMemberAsync(group, member.Id);
        Assert.Empty(Roles(await RefreshAsync(client, tokens)));
    }

    [Fact]
    public async Task GroupRole_AlsoAssignedDirectly_ListedOnce()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var member = await server.Directory.CreateUserAsync();
        await GrantAsync(await CreateGroupAsync(member.Id), api, Role(api, "Orders.Approver"));
        await GrantAsync(await CreateGroupAsync(member.Id), api, Role(api, "Orders.Approver"));
        await server.Directory.AssignAsync(member.Id, "User", api.AppId, "Orders.Approver");

        Assert.Equal(["Orders.Approver"], Roles(await SignInAsync(client, member.UserName!, ApiScope(api))));
    }

    [Fact]
    public async Task AssignmentRequired_Api_SatisfiedThroughAGroupUntilTheMemberLeavesIt()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var member = await server.Directory.CreateUserAsync();
        var outsider = await server.Directory.CreateUserAsync();
        await PatchServicePrincipalAsync(api.AppId, new { appRoleAssignmentRequired = true });
        var group = await CreateGroupAsync(member.Id);
        await GrantAsync(group, api, Role(api, "Orders.Approver"));

        using (var browser = new UserAgent(server))
        {
            var refused = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), ApiScope(api)), outsider.UserName);
            Assert.Equal("access_denied", refused.Query.GetValueOrDefault("error"));
            Assert.StartsWith("TSR2031", refused.Query.GetValueOrDefault("error_description"), StringComparison.Ordinal);
        }

        var tokens = await SignInAsync(client, member.UserName!, ApiScope(api));
        Assert.Equal(["Orders.Approver"], Roles(tokens));

        await RemoveMemberAsync(group, member.Id);
        using var http = server.CreateHttpClient();
        (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant", "TSR2031");
    }

    [Fact]
    public async Task AssignmentRequired_ClientApplication_GroupDefaultAccessAdmitsMembers()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var member = await server.Directory.CreateUserAsync();
        await PatchServicePrincipalAsync(client.Application.AppId, new { appRoleAssignmentRequired = true });

        // The web app declares no roles: Graph's default access (the empty role id), given to a group.
        await GrantAsync(await CreateGroupAsync(member.Id), client.Application, Guid.Empty);
        await SignInAsync(client, member.UserName!, Scope);
    }

    [Fact]
    public async Task AppRoleAssignedTo_Group_CreatedForUserRolesOnlyAndAudited()
    {
        var api = await RegisterApiAsync();
        var group = await CreateGroupAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        object Grant(Guid principalId, Guid appRoleId)
            => new { principalId = principalId.ToString(), resourceId = api.AppId.ToString(), appRoleId = appRoleId.ToString() };

        var (status, created) = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", Grant(group, Role(api, "Orders.Approver")));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        Assert.Equal("Group", created!["principalType"]!.GetValue<string>());
        Assert.Equal(group.ToString(), created["principalId"]!.GetValue<string>());
        Assert.StartsWith("group 0 ", created["principalDisplayName"]!.GetValue<string>(), StringComparison.Ordinal);

        // As in Entra ID, a group's members are users: a role for applications only is not for a group.
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3044",
            await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", Grant(group, Role(api, "Orders.Read.All"))));

        // A group of another tenant is no principal here.
        var elsewhere = await server.Directory.CreateTenantAsync($"groups-{Guid.NewGuid():N}.example.com");
        var foreign = (await CreateGroupsAsync(1, [], directory: elsewhere)).Single();
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3041",
            await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", Grant(foreign, Role(api, "Orders.Approver"))));

        Assert.Equal(HttpStatusCode.NoContent,
            (await admin.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{api.AppId}/appRoleAssignedTo/{created["id"]!.GetValue<string>()}")).Status);
        var audit = await AdminAudit.ForTargetAsync(server, group.ToString());
        Assert.Equal(["Add app role assignment to group", "Remove app role assignment from group"],
            audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        Assert.All(audit, e => Assert.Equal("GroupManagement", e["category"]!.GetValue<string>()));
    }

    [Fact]
    public async Task GroupsClaim_NotAsked_InNeitherToken()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        await CreateGroupAsync(user.Id);

        var tokens = await SignInAsync(client, user.UserName!, ApiScope(api));
        Assert.Null(Groups(tokens.AccessToken));
        Assert.Null(Groups(tokens.IdToken!));
        Assert.False(Payload(tokens.AccessToken).TryGetProperty("_claim_names", out _));
    }

    [Fact]
    public async Task GroupsClaim_AskedByTheApi_InItsAccessTokenOnly_AndReReadAtRefresh()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var other = await server.Directory.CreateUserAsync();
        var first = await CreateGroupAsync(user.Id, other.Id);
        var second = await CreateGroupAsync(user.Id);
        await CreateGroupAsync(other.Id);
        await SetGroupClaimsAsync(api, "All");

        var tokens = await SignInAsync(client, user.UserName!, ApiScope(api));
        Assert.Equal(Sorted([first, second]), Groups(tokens.AccessToken));
        Assert.Null(Groups(tokens.IdToken!));
        var validation = await TokenValidation.ValidateAsync(server, tokens.AccessToken, api.AppId.ToString("D"));
        Assert.True(validation.IsValid, validation.Exception?.Message);

        await RemoveMemberAsync(first, user.Id);
        Assert.Equal(Sorted([second]), Groups((await RefreshAsync(client, tokens)).AccessToken));
    }

    [Fact]
    public async Task GroupsClaim_OneGroup_StillAnArray()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var group = await CreateGroupAsync(user.Id);
        await SetGroupClaimsAsync(api, "SecurityGroup");

        Assert.Equal(Sorted([group]), Groups((await SignInAsync(client, user.UserName!, ApiScope(api))).AccessToken));
    }

    [Fact]
    public async Task GroupsClaim_AskedByTheClient_InItsIdTokenOnly_WithOrWithoutAnApi()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var group = await CreateGroupAsync(user.Id);
        await SetGroupClaimsAsync(client.Application, "SecurityGroup");

        var withApi = await SignInAsync(client, user.UserName!, ApiScope(api));
        Assert.Equal(Sorted([group]), Groups(withApi.IdToken!));
        Assert.Null(Groups(withApi.AccessToken));

        var signInOnly = await SignInAsync(client, user.UserName!, Scope);
        Assert.Equal(Sorted([group]), Groups(signInOnly.IdToken!));
        Assert.Null(Groups(signInOnly.AccessToken));
        Assert.Equal(Sorted([group]), Groups((await RefreshAsync(client, signInOnly)).IdToken!));
    }

    [Fact]
    public async Task GroupsClaim_AskedByBoth_InBothTokens_SecurityGroupsOnlyWhenOneSaysSo()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var security = await CreateGroupAsync(user.Id);
        var plain = (await CreateGroupsAsync(1, [user.Id], securityEnabled: false)).Single();
        await SetGroupClaimsAsync(client.Application, "All");
        await SetGroupClaimsAsync(api, "All");

        var all = await SignInAsync(client, user.UserName!, ApiScope(api));
        Assert.Equal(Sorted([security, plain]), Groups(all.AccessToken));
        Assert.Equal(Sorted([security, plain]), Groups(all.IdToken!));

        await SetGroupClaimsAsync(api, "SecurityGroup");
        var narrowed = await RefreshAsync(client, all);
        Assert.Equal(Sorted([security]), Groups(narrowed.AccessToken));
        Assert.Equal(Sorted([security]), Groups(narrowed.IdToken!));
    }

    [Fact]
    public async Task GroupsClaim_AtTheLimit_ListedInFull()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var groups = await CreateGroupsAsync(GroupClaims.JwtLimit, [user.Id]);
        await SetGroupClaimsAsync(api, "All");

        var tokens = await SignInAsync(client, user.UserName!, ApiScope(api));
        Assert.Equal(Sorted(groups), Groups(tokens.AccessToken));
        Assert.False(Payload(tokens.AccessToken).TryGetProperty("_claim_names", out _));
    }

    [Fact]
    public async Task GroupsClaim_PastTheLimit_NoListButEntrasOveragePointer()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        await CreateGroupsAsync(GroupClaims.JwtLimit + 1, [user.Id]);
        await SetGroupClaimsAsync(api, "All");
        await SetGroupClaimsAsync(client.Application, "All");

        var tokens = await SignInAsync(client, user.UserName!, ApiScope(api));
        var endpoint = $"{server.Origin}/admin/v1/users/{user.Id:D}/getMemberObjects";
        foreach (var token in new[] { tokens.AccessToken, tokens.IdToken! })
        {
            var payload = Payload(token);
            Assert.False(payload.TryGetProperty("groups", out _));
            Assert.Equal(JsonValueKind.Object, payload.GetProperty("_claim_names").ValueKind);
            Assert.Equal("src1", payload.GetProperty("_claim_names").GetProperty("groups").GetString());
            Assert.Equal(endpoint, payload.GetProperty("_claim_sources").GetProperty("src1").GetProperty("endpoint").GetString());
            Assert.False(payload.TryGetProperty("hasgroups", out _));
        }

        // The pointer is what keeps the token small: 201 ids would add some 8 KB to it.
        Assert.True(tokens.AccessToken.Length < 2_500, $"{tokens.AccessToken.Length} characters");
    }

    [Fact]
    public async Task GroupsClaim_PastTheLimit_TheApiFollowsThePointerWithItsOwnToken()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var security = await CreateGroupsAsync(GroupClaims.JwtLimit + 1, [user.Id]);
        var plain = await CreateGroupsAsync(2, [user.Id], securityEnabled: false);
        await CreateGroupsAsync(1, [(await server.Directory.CreateUserAsync()).Id]);
        await SetGroupClaimsAsync(api, "All");

        var tokens = await SignInAsync(client, user.UserName!, ApiScope(api));
        var pointer = Payload(tokens.AccessToken).GetProperty("_claim_sources").GetProperty("src1").GetProperty("endpoint").GetString()!;

        // The API asks with a client-credentials token of its own for the admin API, holding what Graph asks for there.
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll, AdminPermissions.GroupReadAll);
        async Task<string[]> IdsAsync(bool securityEnabledOnly)
        {
            var (status, json) = await reader.JsonAsync(HttpMethod.Post, pointer, new { securityEnabledOnly });
            Assert.True(status == HttpStatusCode.OK, json?.ToJsonString());
            Assert.EndsWith("/admin/v1/$metadata#Collection(Edm.String)", json!["@odata.context"]!.GetValue<string>(), StringComparison.Ordinal);
            return [.. json["value"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal)];
        }

        Assert.Equal(Sorted([.. security, .. plain]), await IdsAsync(securityEnabledOnly: false));
        Assert.Equal(Sorted(security), await IdsAsync(securityEnabledOnly: true));

        // Either permission alone is not enough; Directory.Read.All implies both.
        foreach (var permission in new[] { AdminPermissions.GroupReadAll, AdminPermissions.UserReadAll })
        {
            using var partial = await AdminClient.WithPermissionsAsync(server, permission);
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await partial.JsonAsync(HttpMethod.Post, pointer, new { securityEnabledOnly = false }));
        }

        using var directoryReader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DirectoryReadAll);
        Assert.Equal(HttpStatusCode.OK, (await directoryReader.JsonAsync(HttpMethod.Post, pointer, new { securityEnabledOnly = true })).Status);
    }

    [Fact]
    public async Task AppRoleAssignedTo_List_NamesGroupsUsersAndServicePrincipals()
    {
        var api = await RegisterApiAsync();
        var user = await server.Directory.CreateUserAsync();
        var group = await CreateGroupAsync(user.Id);
        var daemon = await server.Directory.RegisterAsync(new NewApplication("orders daemon " + Guid.NewGuid().ToString("N")[..6]));
        await GrantAsync(group, api, Role(api, "Orders.Approver"));
        await server.Directory.AssignAsync(user.Id, "User", api.AppId, "Orders.Approver");
        await server.Directory.AssignAsync(daemon.AppId, "ServicePrincipal", api.AppId, "Orders.Read.All");
        var groupName = await server.Directory.QueryAsync(db => db.Groups.Where(g => g.Id == group).Select(g => g.DisplayName).SingleAsync());

        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);
        var (status, page) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/appRoleAssignedTo");
        Assert.True(status == HttpStatusCode.OK, page?.ToJsonString());
        var assignments = page!["value"]!.AsArray().ToDictionary(a => a!["principalType"]!.GetValue<string>(), a => a!);
        Assert.Equal(["Group", "ServicePrincipal", "User"], assignments.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(groupName, assignments["Group"]["principalDisplayName"]!.GetValue<string>());
        Assert.Equal(user.DisplayName, assignments["User"]["principalDisplayName"]!.GetValue<string>());
        Assert.Equal(daemon.DisplayName, assignments["ServicePrincipal"]["principalDisplayName"]!.GetValue<string>());
        Assert.All(assignments.Values, a => Assert.Equal(api.DisplayName, a["resourceDisplayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DeleteGroup_RemovesItsAppRoleAssignments_AuditedInTheSameSave()
    {
        var api = await RegisterApiAsync();
        var other = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var member = await server.Directory.CreateUserAsync();
        var group = await CreateGroupAsync(member.Id);
        var kept = await CreateGroupAsync(member.Id);
        var approver = await GrantAsync(group, api, Role(api, "Orders.Approver"));
        var access = await GrantAsync(group, other, Role(other, "Orders.Approver"));
        var survivor = await GrantAsync(kept, other, Role(other, "Orders.Approver"));
        var tokens = await SignInAsync(client, member.UserName!, ApiScope(api));
        Assert.Equal(["Orders.Approver"], Roles(tokens));

        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadWriteAll);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"groups/{group}")).Status);

        var left = await server.Directory.QueryAsync(db => db.AppRoleAssignments.Where(a => a.PrincipalId == group || a.PrincipalId == kept)
            .Select(a => a.Id).ToListAsync());
        Assert.Equal([Guid.Parse(survivor)], left);

        // The member held the role through the group only: gone at the next refresh.
        Assert.Empty(Roles(await RefreshAsync(client, tokens)));

        // Each removal is recorded against the group, as removing it through appRoleAssignedTo would be, then the delete.
        var audit = await AdminAudit.ForTargetAsync(server, group.ToString());
        Assert.Equal(
            ["Add app role assignment to group", "Add app role assignment to group",
             "Remove app role assignment from group", "Remove app role assignment from group", "Delete group"],
            audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        var removed = audit.Where(e => e["activityDisplayName"]!.GetValue<string>() == "Remove app role assignment from group")
            .Select(e => e["targetResources"]![0]!["modifiedProperties"]!.AsArray()
                .Single(p => p!["displayName"]!.GetValue<string>() == "AppRoleAssignment.Id")!)
            .ToList();
        Assert.Equal(new[] { approver, access }.Order(StringComparer.Ordinal),
            removed.Select(p => p["oldValue"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(removed, p => Assert.Null(p["newValue"]?.GetValue<string>()));
    }
}
