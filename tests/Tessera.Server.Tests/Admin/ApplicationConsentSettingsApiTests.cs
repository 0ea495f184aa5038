using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>
/// What the consent decisions read from an application registration: its verified publisher
/// (<c>setVerifiedPublisher</c>, <c>unsetVerifiedPublisher</c>), <c>publisherDomain</c>, the permissions it declares
/// (<c>requiredResourceAccess</c>) and <c>groupMembershipClaims</c>.
/// </summary>
public sealed class ApplicationConsentSettingsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private Task<Application> RegisterApiAsync() => server.Directory.RegisterApiAsync("api://needed-" + Guid.NewGuid().ToString("N")[..8]);

    private static Guid Scope(Application api, string value) => api.Oauth2PermissionScopes.Single(s => s.Value == value).Id;

    private static Guid Role(Application api, string value) => api.AppRoles.Single(r => r.Value == value).Id;

    private static object Needs(Guid api, params (Guid Id, string Type)[] access)
        => new { resourceAppId = api.ToString(), resourceAccess = access.Select(a => new { id = a.Id.ToString(), type = a.Type }) };

    private static async Task<JsonNode> CreateAsync(AdminClient admin, object body)
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "applications", body);
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!;
    }

    private static string Id(JsonNode app) => app["id"]!.GetValue<string>();

    // ---- verified publisher ----

    [Fact]
    public async Task Get_Unverified_VerifiedPublisherAllNullAndPublisherDomainTheTenantsDomain()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "unverified" });
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        var publisher = read!["verifiedPublisher"]!.AsObject();
        Assert.Equal(["addedDateTime", "displayName", "verifiedPublisherId"], publisher.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(publisher, p => Assert.Null(p.Value));
        Assert.Equal(server.Bootstrap.Domain, read["publisherDomain"]!.GetValue<string>());
        Assert.Equal(server.Bootstrap.Domain, created["publisherDomain"]!.GetValue<string>());

        var (_, list) = await admin.JsonAsync(HttpMethod.Get, $"applications?$filter=id eq '{Id(created)}'");
        Assert.Equal(server.Bootstrap.Domain, list!["value"]![0]!["publisherDomain"]!.GetValue<string>());
    }

    [Fact]
    public async Task SetVerifiedPublisher_ApplicationAdmin_ShownWithWhoAndWhenAndAudited()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        var created = await CreateAsync(admin, new { displayName = "to verify" });
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var (status, _) = await admin.JsonAsync(HttpMethod.Post, $"applications/{Id(created)}/setVerifiedPublisher", new { verifiedPublisherId = "1234567" });
        Assert.Equal(HttpStatusCode.NoContent, status);

        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        var publisher = read!["verifiedPublisher"]!;
        Assert.Equal("1234567", publisher["verifiedPublisherId"]!.GetValue<string>());
        var tenantName = await server.Directory.QueryAsync(db => db.Tenants.Where(t => t.Id == server.TenantId).Select(t => t.DisplayName).FirstAsync());
        Assert.Equal(tenantName, publisher["displayName"]!.GetValue<string>());
        var added = DateTimeOffset.Parse(publisher["addedDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(added, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.NotEqual(created["@odata.etag"]!.GetValue<string>(), read["@odata.etag"]!.GetValue<string>());

        var stored = await server.Directory.QueryAsync(db => db.Applications.AsNoTracking().Where(a => a.Id == Guid.Parse(Id(created))).Select(a => a.VerifiedPublisher).FirstAsync());
        Assert.Equal(admin.ClientId, stored!.AddedById);

        var (_, sp) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{created["appId"]}");
        Assert.Equal("1234567", sp!["verifiedPublisher"]!["verifiedPublisherId"]!.GetValue<string>());

        var entry = (await AdminAudit.ForTargetAsync(server, Id(created))).Single(e => e["activityDisplayName"]!.GetValue<string>() == "Set verified publisher");
        var change = entry["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal("verifiedPublisher", change["displayName"]!.GetValue<string>());
        Assert.Null(change["oldValue"]);
        Assert.Contains("1234567", change["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(admin.ClientId.ToString(), change["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetVerifiedPublisher_WithName_ThenUnset_BackToAllNullAndAudited()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "named publisher" });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"applications/{Id(created)}/setVerifiedPublisher",
            new { verifiedPublisherId = "contoso-42", displayName = " Contoso Ltd " })).Status);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.Equal("Contoso Ltd", read!["verifiedPublisher"]!["displayName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"applications/{Id(created)}/unsetVerifiedPublisher")).Status);
        var (_, after) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.All(after!["verifiedPublisher"]!.AsObject(), p => Assert.Null(p.Value));

        // Unsetting again changes nothing and records nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"applications/{Id(created)}/unsetVerifiedPublisher", "{}")).Status);
        var activities = (await AdminAudit.ForTargetAsync(server, Id(created))).Select(e => e["activityDisplayName"]!.GetValue<string>()).ToList();
        Assert.Equal(["Add application", "Set verified publisher", "Unset verified publisher"], activities);
    }

    [Theory]
    [InlineData("{}", "TSR3078")]
    [InlineData("{\"verifiedPublisherId\":\"\"}", "TSR3078")]
    [InlineData("{\"verifiedPublisherId\":\"12\\u000734\"}", "TSR3078")]
    [InlineData("{\"verifiedPublisherId\":\"12345678901234567890123456789012345678901234567890123456789012345\"}", "TSR3078")]
    [InlineData("{\"verifiedPublisherId\":\"1234567\",\"displayName\":\"\"}", "TSR3079")]
    [InlineData("{\"verifiedPublisherId\":1234567}", "TSR3018")]
    [InlineData("[]", "TSR3018")]
    public async Task SetVerifiedPublisher_BadBody_400AndStillUnverified(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "bad publisher" });
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, $"applications/{Id(created)}/setVerifiedPublisher", body));
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.Null(read!["verifiedPublisher"]!["verifiedPublisherId"]);
    }

    [Fact]
    public async Task SetVerifiedPublisher_OwnerWithOwnedBy_CannotVouchForOwnApplication()
    {
        using var developer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteOwnedBy);
        var mine = await CreateAsync(developer, new { displayName = "my own app" });
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002",
            await developer.JsonAsync(HttpMethod.Post, $"applications/{Id(mine)}/setVerifiedPublisher", new { verifiedPublisherId = "1234567" }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await developer.JsonAsync(HttpMethod.Post, $"applications/{Id(mine)}/unsetVerifiedPublisher"));

        // Nor through PATCH: verifiedPublisher is read-only there, for everyone.
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3019", await developer.JsonAsync(HttpMethod.Patch, $"applications/{Id(mine)}",
            new { verifiedPublisher = new { verifiedPublisherId = "1234567", displayName = "Me" } }));
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3019", await admin.JsonAsync(HttpMethod.Post, "applications",
            new { displayName = "self-verified", verifiedPublisher = new { verifiedPublisherId = "1234567" } }));
    }

    [Fact]
    public async Task SetVerifiedPublisher_UnknownForeignOrPlatformApplication_Refused()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var body = new { verifiedPublisherId = "1234567" };
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"applications/{Guid.NewGuid()}/setVerifiedPublisher", body));

        var other = await server.Directory.CreateTenantAsync("pub-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var foreign = await other.RegisterAsync(new Tessera.Server.Directory.NewApplication("foreign"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"applications/{foreign.Id}/setVerifiedPublisher", body));

        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var adminApiObjectId = await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == adminApi).Select(a => a.Id).FirstAsync());
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4010", await admin.JsonAsync(HttpMethod.Post, $"applications/{adminApiObjectId}/setVerifiedPublisher", body));
    }

    [Fact]
    public async Task SetVerifiedPublisher_StaleETag_412()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "etag publisher" });
        var etag = created["@odata.etag"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", new { displayName = "moved on" }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Post, $"applications/{Id(created)}/setVerifiedPublisher", new { verifiedPublisherId = "1234567" }, etag));
    }

    // ---- requiredResourceAccess and groupMembershipClaims ----

    [Fact]
    public async Task RequiredResourceAccess_CreateAndPatch_ScopesAndApplicationRolesInGraphShape()
    {
        var api = await RegisterApiAsync();
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var adminRole = await server.Directory.QueryAsync(db => db.Applications.AsNoTracking().Where(a => a.AppId == adminApi).Select(a => a.AppRoles).FirstAsync());
        using var admin = await AdminClient.BootstrapAsync(server);

        var created = await CreateAsync(admin, new
        {
            displayName = "needs orders",
            requiredResourceAccess = new[] { Needs(api.AppId, (Scope(api, "Orders.Read"), "Scope"), (Role(api, "Orders.Read.All"), "Role")) },
            groupMembershipClaims = "SecurityGroup",
        });
        var required = Assert.Single(created["requiredResourceAccess"]!.AsArray())!;
        Assert.Equal(api.AppId.ToString(), required["resourceAppId"]!.GetValue<string>());
        Assert.Equal([$"{Scope(api, "Orders.Read")}:Scope", $"{Role(api, "Orders.Read.All")}:Role"],
            required["resourceAccess"]!.AsArray().Select(a => $"{a!["id"]}:{a["type"]}"));
        Assert.Equal("SecurityGroup", created["groupMembershipClaims"]!.GetValue<string>());

        // PATCH replaces the whole list; the admin API's own permissions may be declared too.
        var readAll = adminRole.Single(r => r.Value == AdminPermissions.ApplicationReadAll).Id;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", new
        {
            requiredResourceAccess = new[] { Needs(api.AppId, (Scope(api, "Orders.ReadWrite"), "Scope")), Needs(adminApi, (readAll, "Role")) },
            groupMembershipClaims = (string?)null,
        })).Status);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.Equal([api.AppId.ToString(), adminApi.ToString()], read!["requiredResourceAccess"]!.AsArray().Select(r => r!["resourceAppId"]!.GetValue<string>()));
        Assert.Equal("None", read["groupMembershipClaims"]!.GetValue<string>());

        // A PATCH that leaves them out leaves them alone.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", new { displayName = "renamed" })).Status);
        var (_, kept) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.Equal(2, kept!["requiredResourceAccess"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", new { requiredResourceAccess = Array.Empty<object>() })).Status);
        var (_, cleared) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.Empty(cleared!["requiredResourceAccess"]!.AsArray());
    }

    [Fact]
    public async Task RequiredResourceAccess_OwnApisPermissions_AcceptedEvenOnCreation()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var scopeId = Guid.NewGuid();
        var created = await CreateAsync(admin, new
        {
            displayName = "self-calling api",
            api = new { oauth2PermissionScopes = new[] { new { id = scopeId.ToString(), value = "Self.Read", type = "User" } } },
        });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}",
            new { requiredResourceAccess = new[] { Needs(Guid.Parse(created["appId"]!.GetValue<string>()), (scopeId, "Scope")) } })).Status);
    }

    [Fact]
    public async Task RequiredResourceAccess_Audited_BeforeAndAfter()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "audited needs" });
        await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", new
        {
            requiredResourceAccess = new[] { Needs(api.AppId, (Scope(api, "Orders.Read"), "Scope")) },
            groupMembershipClaims = "All",
        });

        var update = (await AdminAudit.ForTargetAsync(server, Id(created))).Single(e => e["activityDisplayName"]!.GetValue<string>() == "Update application");
        var changes = update["targetResources"]![0]!["modifiedProperties"]!.AsArray();
        var required = changes.Single(p => p!["displayName"]!.GetValue<string>() == "requiredResourceAccess")!;
        Assert.Equal("[]", required["oldValue"]!.GetValue<string>());
        Assert.Contains(Scope(api, "Orders.Read").ToString(), required["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
        var claims = changes.Single(p => p!["displayName"]!.GetValue<string>() == "groupMembershipClaims")!;
        Assert.Equal("None", claims["oldValue"]!.GetValue<string>());
        Assert.Equal("All", claims["newValue"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("unknownApi", "TSR3080")]
    [InlineData("foreignApi", "TSR3080")]
    [InlineData("roleAsScope", "TSR3081")]
    [InlineData("unknownScope", "TSR3081")]
    [InlineData("userRole", "TSR3082")]
    [InlineData("scopeAsRole", "TSR3082")]
    [InlineData("badType", "TSR3083")]
    [InlineData("duplicatePermission", "TSR3084")]
    [InlineData("duplicateApi", "TSR3084")]
    [InlineData("notArray", "TSR3087")]
    [InlineData("notGuid", "TSR3087")]
    [InlineData("noAccessList", "TSR3087")]
    [InlineData("badGroupClaims", "TSR3086")]
    [InlineData("numberGroupClaims", "TSR3086")]
    public async Task RequiredResourceAccess_BreaksARule_400AndNothingChanged(string rule, string code)
    {
        var api = await RegisterApiAsync();
        var other = await server.Directory.CreateTenantAsync("needs-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var foreign = await other.RegisterApiAsync("api://foreign-" + Guid.NewGuid().ToString("N")[..6]);
        var read = (Scope(api, "Orders.Read"), "Scope");
        object body = rule switch
        {
            "unknownApi" => new { requiredResourceAccess = new[] { Needs(Guid.NewGuid(), read) } },
            "foreignApi" => new { requiredResourceAccess = new[] { Needs(foreign.AppId, (Scope(foreign, "Orders.Read"), "Scope")) } },
            "roleAsScope" => new { requiredResourceAccess = new[] { Needs(api.AppId, (Role(api, "Orders.Read.All"), "Scope")) } },
            "unknownScope" => new { requiredResourceAccess = new[] { Needs(api.AppId, (Guid.NewGuid(), "Scope")) } },
            "userRole" => new { requiredResourceAccess = new[] { Needs(api.AppId, (Role(api, "Orders.Approver"), "Role")) } },
            "scopeAsRole" => new { requiredResourceAccess = new[] { Needs(api.AppId, (Scope(api, "Orders.Read"), "Role")) } },
            "badType" => new { requiredResourceAccess = new[] { Needs(api.AppId, (Scope(api, "Orders.Read"), "Delegated")) } },
            "duplicatePermission" => new { requiredResourceAccess = new[] { Needs(api.AppId, read, read) } },
            "duplicateApi" => new { requiredResourceAccess = new[] { Needs(api.AppId, read), Needs(api.AppId, (Scope(api, "Orders.ReadWrite"), "Scope")) } },
            "notArray" => "{\"requiredResourceAccess\":{}}",
            "notGuid" => "{\"requiredResourceAccess\":[{\"resourceAppId\":\"orders\",\"resourceAccess\":[]}]}",
            "noAccessList" => $"{{\"requiredResourceAccess\":[{{\"resourceAppId\":\"{api.AppId}\"}}]}}",
            "badGroupClaims" => new { groupMembershipClaims = "DirectoryRole" },
            "numberGroupClaims" => "{\"groupMembershipClaims\":3}",
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };

        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "rule " + rule });
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", body));
        var (_, after) = await admin.JsonAsync(HttpMethod.Get, $"applications/{Id(created)}");
        Assert.Empty(after!["requiredResourceAccess"]!.AsArray());
        Assert.Equal("None", after["groupMembershipClaims"]!.GetValue<string>());
        Assert.Equal(created["@odata.etag"]!.GetValue<string>(), after["@odata.etag"]!.GetValue<string>());

        // The same body on creation: refused, and no application is registered.
        var before = await server.Directory.QueryAsync(db => db.Applications.CountAsync());
        var createBody = (body is string text ? JsonNode.Parse(text)! : System.Text.Json.JsonSerializer.SerializeToNode(body)!).AsObject();
        createBody["displayName"] = "x";
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, "applications", createBody.ToJsonString()));
        Assert.Equal(before, await server.Directory.QueryAsync(db => db.Applications.CountAsync()));
    }

    [Fact]
    public async Task RequiredResourceAccess_MoreThanFiftyApis_400()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, new { displayName = "greedy" });
        var many = Enumerable.Range(0, 51).Select(_ => Needs(api.AppId, (Scope(api, "Orders.Read"), "Scope"))).ToArray();
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3085", await admin.JsonAsync(HttpMethod.Patch, $"applications/{Id(created)}", new { requiredResourceAccess = many }));
    }
}
