using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class UsersApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private string NewUserName(string prefix = "u") => $"{prefix}{Guid.NewGuid():N}"[..12] + "@" + server.Bootstrap.Domain;

    private static object NewUser(string userName, string displayName = "New Person", string password = TestDirectory.Password)
        => new { accountEnabled = true, displayName, userPrincipalName = userName, passwordProfile = new { password }, mail = userName };

    private async Task<JsonNode> CreateAsync(AdminClient admin, string? userName = null, string displayName = "New Person")
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "users", NewUser(userName ?? NewUserName(), displayName));
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!;
    }

    /// <summary>Signs the user in through the code flow: a refresh token, and a browser that keeps the SSO cookie.</summary>
    private async Task<(CodeFlowClient Client, TokenResponse Tokens, UserAgent Browser)> SignedInAsync(string userName)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(userName);
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return (client, tokens, browser);
    }

    private static Task<AuthorizationOutcome> SilentAsync(CodeFlowClient client, UserAgent browser)
        => browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);

    [Fact]
    public async Task Create_ValidUser_201InGraphShapeAndTheUserCanSignIn()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var userName = NewUserName();
        var created = await CreateAsync(admin, userName, "Ada Lovelace");

        Assert.Equal(userName, created["userPrincipalName"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", created["displayName"]!.GetValue<string>());
        Assert.Equal(userName, created["mail"]!.GetValue<string>());
        Assert.True(created["accountEnabled"]!.GetValue<bool>());
        Assert.True(Guid.TryParse(created["id"]!.GetValue<string>(), out _));
        Assert.NotNull(created["createdDateTime"]);
        Assert.StartsWith("W/\"", created["@odata.etag"]!.GetValue<string>(), StringComparison.Ordinal);
        var text = created.ToJsonString();
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securityStamp", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AQAAAA", text, StringComparison.Ordinal); // Identity's hash prefix

        var (_, _, browser) = await SignedInAsync(userName);
        browser.Dispose();
    }

    [Theory]
    [InlineData("{\"userPrincipalName\":\"{new}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3015")]
    [InlineData("{\"displayName\":\"  \",\"userPrincipalName\":\"{new}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3015")]
    [InlineData("{\"displayName\":\"x\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3023")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\"}", "TSR3023")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"passwordProfile\":{}}", "TSR3023")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"no-at-sign\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3020")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"@{domain}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3020")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"a@b@{domain}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3020")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"someone@elsewhere.example\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3020")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"has space@{domain}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3020")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"passwordProfile\":{\"password\":\"short\"}}", "TSR5001")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\",\"forceChangePasswordNextSignIn\":true}}", "TSR3026")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"mail\":\"not a mail\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3025")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"mail\":\"Ada <ada@example.com>\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3025")]
    [InlineData("{\"id\":\"00000000-0000-0000-0000-000000000001\",\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3019")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"passwordProfile\":\"correct horse battery staple\"}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"userPrincipalName\":\"{new}\",\"accountEnabled\":\"yes\",\"passwordProfile\":{\"password\":\"correct horse battery staple\"}}", "TSR3018")]
    [InlineData("{not json", "TSR3018")]
    public async Task Create_BreaksARule_400NamingTheRuleAndNothingWritten(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var json = body.Replace("{new}", NewUserName(), StringComparison.Ordinal).Replace("{domain}", server.Bootstrap.Domain, StringComparison.Ordinal);
        var before = await server.Directory.QueryAsync(db => db.Users.CountAsync());
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, "users", json));
        Assert.Equal(before, await server.Directory.QueryAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Create_ShortPassword_400SaysHowLong()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, error) = await admin.JsonAsync(HttpMethod.Post, "users", NewUser(NewUserName(), password: "tooshort"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR5001", (status, error));
        Assert.Contains("at least 12 characters", error!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_NameTakenInAnyCase_400TSR3021()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var userName = NewUserName();
        await CreateAsync(admin, userName);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3021", await admin.JsonAsync(HttpMethod.Post, "users", NewUser(userName.ToUpperInvariant())));
    }

    [Fact]
    public async Task Create_DomainOfAnotherTenant_400TSR3020()
    {
        var other = await server.Directory.CreateTenantAsync($"t{Guid.NewGuid():N}"[..10] + ".example");
        var otherDomain = await other.QueryAsync(db => db.TenantDomains.Where(d => d.TenantId == other.TenantId).Select(d => d.Name).FirstAsync());
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3020", await admin.JsonAsync(HttpMethod.Post, "users", NewUser("mallory@" + otherDomain)));
    }

    [Fact]
    public async Task Create_WithoutWritePermission_403()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, "users", NewUser(NewUserName())));
    }

    [Fact]
    public async Task Get_ByIdOrUserPrincipalName_SameUserWithETag()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);

        using var response = await reader.SendAsync(HttpMethod.Get, $"users/{created["id"]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created["@odata.etag"]!.GetValue<string>(), response.Headers.ETag?.ToString());

        var (status, byName) = await reader.JsonAsync(HttpMethod.Get, $"users/{created["userPrincipalName"]!.GetValue<string>().ToUpperInvariant()}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(created["id"]!.GetValue<string>(), byName!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PATCH", "")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/revokeSignInSessions")]
    public async Task AnyOperation_UnknownUser_404(string method, string suffix)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(new HttpMethod(method), $"users/{Guid.NewGuid()}{suffix}", method == "PATCH" ? new { displayName = "x" } : null));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(new HttpMethod(method), $"users/nobody@{server.Bootstrap.Domain}{suffix}", method == "PATCH" ? new { displayName = "x" } : null));
    }

    [Fact]
    public async Task Get_UserOfAnotherTenant_404()
    {
        var other = await server.Directory.CreateTenantAsync($"t{Guid.NewGuid():N}"[..10] + ".example");
        var stranger = await other.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"users/{stranger.Id}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"users/{stranger.UserName}"));
        var (_, list) = await admin.JsonAsync(HttpMethod.Get, $"users?$filter=id eq '{stranger.Id}'");
        Assert.Empty(list!["value"]!.AsArray());
    }

    [Fact]
    public async Task List_FilterSelectTopCount_GraphQueryOptions()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var prefix = "List" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(admin, displayName: $"{prefix} {i}");
        }

        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        var (status, page) = await reader.JsonAsync(HttpMethod.Get, $"users?$filter=startswith(displayName,'{prefix}')&$top=2&$count=true&$select=displayName");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, page!["@odata.count"]!.GetValue<int>());
        var first = page["value"]!.AsArray();
        Assert.Equal(2, first.Count);
        Assert.All(first, u => Assert.Equal(["id", "displayName"], u!.AsObject().Select(p => p.Key).Where(k => !k.StartsWith('@'))));

        var next = page["@odata.nextLink"]!.GetValue<string>();
        var (_, rest) = await reader.JsonAsync(HttpMethod.Get, next[next.IndexOf("users", StringComparison.Ordinal)..]);
        Assert.Single(rest!["value"]!.AsArray());
        Assert.Null(rest["@odata.nextLink"]);

        var one = first[0]!["id"]!.GetValue<string>();
        var (_, byId) = await reader.JsonAsync(HttpMethod.Get, $"users?$filter=id eq '{one}' and accountEnabled eq true");
        Assert.Equal(one, byId!["value"]![0]!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("passwordHash eq 'x'")]
    [InlineData("displayName ne 'x'")]
    [InlineData("accountEnabled eq 'yes'")]
    public async Task List_UnsupportedFilter_400TSR4005(string filter)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await admin.JsonAsync(HttpMethod.Get, $"users?$filter={Uri.EscapeDataString(filter)}"));
    }

    [Fact]
    public async Task List_WithoutUserPermission_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.GroupReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, "users"));
    }

    [Fact]
    public async Task Patch_WithCurrentETag_204AndETagRotates()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"users/{id}", new { displayName = "Renamed", mail = "renamed@example.com" }, etag)).Status);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"users/{id}");
        Assert.Equal("Renamed", read!["displayName"]!.GetValue<string>());
        Assert.Equal("renamed@example.com", read["mail"]!.GetValue<string>());
        Assert.NotEqual(etag, read["@odata.etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_StaleETag_412AndNoChange()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, displayName: "Original");
        var id = created["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"users/{id}", new { displayName = "First" }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Patch, $"users/{id}", new { displayName = "Second" }, etag));
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Delete, $"users/{id}", ifMatch: etag));
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"users/{id}");
        Assert.Equal("First", read!["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_ConcurrentWritersWithSameETag_OneWins()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            admin.JsonAsync(HttpMethod.Patch, $"users/{id}", new { displayName = $"writer {i}" }, etag)));
        Assert.Equal(1, results.Count(r => r.Status == HttpStatusCode.NoContent));
        Assert.All(results.Where(r => r.Status != HttpStatusCode.NoContent),
            r => Assert.Contains(r.Status, new[] { HttpStatusCode.PreconditionFailed, HttpStatusCode.Conflict }));
    }

    [Theory]
    [InlineData("{\"displayName\":\"\"}", "TSR3015")]
    [InlineData("{\"userPrincipalName\":\"renamed@x.example\"}", "TSR3019")]
    [InlineData("{\"createdDateTime\":\"2020-01-01T00:00:00Z\"}", "TSR3019")]
    [InlineData("{\"passwordProfile\":{\"password\":\"short\"}}", "TSR5001")]
    [InlineData("{\"passwordProfile\":{\"forceChangePasswordNextSignIn\":false}}", "TSR3023")]
    [InlineData("{\"mail\":\"nope\"}", "TSR3025")]
    [InlineData("{\"accountEnabled\":0}", "TSR3018")]
    public async Task Patch_BreaksARule_400AndNothingChanged(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, $"users/{id}", body));
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"users/{id}");
        Assert.Equal(created["@odata.etag"]!.GetValue<string>(), read!["@odata.etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_WithoutWritePermission_403()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Patch, $"users/{created["id"]}", new { displayName = "x" }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Delete, $"users/{created["id"]}"));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, $"users/{created["id"]}/revokeSignInSessions"));
    }

    [Fact]
    public async Task Patch_Password_RefreshTokensDieOldPasswordFailsNewWorks()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var userName = NewUserName();
        var created = await CreateAsync(admin, userName);
        var (client, tokens, browser) = await SignedInAsync(userName);
        using (browser)
        {
            const string newPassword = "a brand new passphrase";
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"users/{created["id"]}", new { passwordProfile = new { password = newPassword } })).Status);

            using var http = server.CreateHttpClient();
            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");
            Assert.Equal("login_required", (await SilentAsync(client, browser)).Query["error"]);

            using var oldPassword = new UserAgent(server);
            Assert.Null((await oldPassword.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), userName)).Redirect);
            using var fresh = new UserAgent(server);
            Assert.True((await fresh.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), userName, newPassword)).Query.ContainsKey("code"));
        }

        var audit = await AdminAudit.ForTargetAsync(server, created["id"]!.GetValue<string>());
        var update = audit.Single(e => e["activityDisplayName"]!.GetValue<string>() == "Update user");
        var changed = update["targetResources"]![0]!["modifiedProperties"]!.AsArray().Single();
        Assert.Equal("passwordProfile.password", changed!["displayName"]!.GetValue<string>());
        Assert.DoesNotContain("a brand new passphrase", await AdminAudit.AllTextAsync(server), StringComparison.Ordinal);
        Assert.DoesNotContain(TestDirectory.Password, await AdminAudit.AllTextAsync(server), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_Disable_RefreshRefusedSessionEndedSignInRefused()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var userName = NewUserName();
        var created = await CreateAsync(admin, userName);
        var (client, tokens, browser) = await SignedInAsync(userName);
        using (browser)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"users/{created["id"]}", new { accountEnabled = false })).Status);

            using var http = server.CreateHttpClient();
            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");
            Assert.Equal("login_required", (await SilentAsync(client, browser)).Query["error"]);
            using var again = new UserAgent(server);
            Assert.Null((await again.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), userName)).Redirect);
        }

        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"users/{created["id"]}");
        Assert.False(read!["accountEnabled"]!.GetValue<bool>());
        var (_, disabled) = await admin.JsonAsync(HttpMethod.Get, $"users?$filter=accountEnabled eq false and id eq '{created["id"]}'");
        Assert.Single(disabled!["value"]!.AsArray());
    }

    [Fact]
    public async Task RevokeSignInSessions_SignedInUser_RefreshRefusedAndPromptNoneLoginRequired()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var userName = NewUserName();
        var created = await CreateAsync(admin, userName);
        var (client, tokens, browser) = await SignedInAsync(userName);
        using (browser)
        {
            // Before: the SSO session answers silently.
            Assert.True((await SilentAsync(client, browser)).Query.ContainsKey("code"));

            using var revoker = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
            var (status, answer) = await revoker.JsonAsync(HttpMethod.Post, $"users/{created["id"]}/revokeSignInSessions");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(answer!["value"]!.GetValue<bool>());

            using var http = server.CreateHttpClient();
            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");
            Assert.Equal("login_required", (await SilentAsync(client, browser)).Query["error"]);
        }

        // The account itself still works: a new sign-in starts a new session.
        var (_, fresh, again) = await SignedInAsync(userName);
        again.Dispose();
        Assert.NotNull(fresh.RefreshToken);

        var audit = await AdminAudit.ForTargetAsync(server, created["id"]!.GetValue<string>());
        Assert.Contains(audit, e => e["activityDisplayName"]!.GetValue<string>() == "Revoke user sign-in sessions");
    }

    [Fact]
    public async Task RevokeSignInSessions_OtherUsers_KeepTheirSessions()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var target = await CreateAsync(admin);
        var bystanderName = NewUserName();
        await CreateAsync(admin, bystanderName);
        var (client, tokens, browser) = await SignedInAsync(bystanderName);
        using (browser)
        {
            await admin.JsonAsync(HttpMethod.Post, $"users/{target["id"]}/revokeSignInSessions");
            using var http = server.CreateHttpClient();
            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertSuccess();
            Assert.True((await SilentAsync(client, browser)).Query.ContainsKey("code"));
        }
    }

    [Fact]
    public async Task Delete_User_GoneFromGroupsAndRolesAndCannotRefresh()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var userName = NewUserName();
        var created = await CreateAsync(admin, userName);
        var id = created["id"]!.GetValue<string>();
        var (_, group) = await admin.JsonAsync(HttpMethod.Post, "groups", new { displayName = "doomed members", mailEnabled = false, securityEnabled = true, mailNickname = "doomed" });
        await admin.JsonAsync(HttpMethod.Post, $"groups/{group!["id"]}/members/$ref", new Dictionary<string, string> { ["@odata.id"] = $"{server.Origin}/admin/v1/directoryObjects/{id}" });
        var (client, tokens, browser) = await SignedInAsync(userName);
        browser.Dispose();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"users/{id}", ifMatch: created["@odata.etag"]!.GetValue<string>())).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"users/{id}"));
        var (_, members) = await admin.JsonAsync(HttpMethod.Get, $"groups/{group["id"]}/members");
        Assert.Empty(members!["value"]!.AsArray());
        using var http = server.CreateHttpClient();
        (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");

        var audit = await AdminAudit.ForTargetAsync(server, id);
        Assert.Equal(["Add user", "Delete user"], audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Audit_CreateAndUpdate_RecordedByTheCallingApplication()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        var created = await CreateAsync(admin, displayName: "Before");
        await admin.JsonAsync(HttpMethod.Patch, $"users/{created["id"]}", new { displayName = "After" });

        var audit = await AdminAudit.ForTargetAsync(server, created["id"]!.GetValue<string>());
        Assert.Equal(["Add user", "Update user"], audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        Assert.All(audit, e => Assert.Equal("UserManagement", e["category"]!.GetValue<string>()));
        Assert.Equal(admin.ClientId.ToString(), audit[0]["initiatedBy"]!["app"]!["appId"]!.GetValue<string>());
        var added = audit[0]["targetResources"]![0]!["modifiedProperties"]!.AsArray();
        Assert.Contains(added, p => p!["displayName"]!.GetValue<string>() == "passwordProfile.password" && p["newValue"]!.GetValue<string>() == "(changed)");
        var rename = audit[1]["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal(("displayName", "Before", "After"),
            (rename["displayName"]!.GetValue<string>(), rename["oldValue"]!.GetValue<string>(), rename["newValue"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Patch_AdministratorsPassword_ByUserAdministratorOnly_403TSR3027()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin);
        var id = created["id"]!.GetValue<string>();
        var (assigned, _) = await admin.JsonAsync(HttpMethod.Post, "roleManagement/directory/roleAssignments",
            new { principalId = id, roleDefinitionId = AdminRoles.ApplicationAdministrator.TemplateId, directoryScopeId = "/" });
        Assert.Equal(HttpStatusCode.Created, assigned);

        using var userAdministrator = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3027",
            await userAdministrator.JsonAsync(HttpMethod.Patch, $"users/{id}", new { passwordProfile = new { password = "taken over at last" } }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3027", await userAdministrator.JsonAsync(HttpMethod.Patch, $"users/{id}", new { accountEnabled = false }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3027", await userAdministrator.JsonAsync(HttpMethod.Delete, $"users/{id}"));

        // Harmless changes stay allowed; and whoever can grant roles anyway may reset it.
        Assert.Equal(HttpStatusCode.NoContent, (await userAdministrator.JsonAsync(HttpMethod.Patch, $"users/{id}", new { displayName = "Still an admin" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"users/{id}", new { passwordProfile = new { password = "reset by the bootstrap" } })).Status);
    }
}
