using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Tessera.Directory.Applications;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>
/// <c>/oauth2PermissionGrants</c>: delegated permission grants written through the admin API, and what they do to the
/// tokens of users who signed in (the next refresh follows a narrowed grant; a deleted grant ends the refresh tokens).
/// </summary>
public sealed class PermissionGrantsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Grants = "oauth2PermissionGrants";

    private Task<Application> RegisterApiAsync() => server.Directory.RegisterApiAsync("api://grants-" + Guid.NewGuid().ToString("N")[..8]);

    private Task<Application> RegisterClientAsync() => server.Directory.RegisterAsync(new NewApplication("grant client " + Guid.NewGuid().ToString("N")[..6]));

    private static Dictionary<string, object?> ForEveryone(Guid clientId, Guid resourceId, string scope)
        => new() { ["clientId"] = clientId.ToString(), ["consentType"] = "AllPrincipals", ["principalId"] = null, ["resourceId"] = resourceId.ToString(), ["scope"] = scope };

    private static Dictionary<string, object?> ForUser(Guid clientId, Guid resourceId, Guid userId, string scope)
        => new() { ["clientId"] = clientId.ToString(), ["consentType"] = "Principal", ["principalId"] = userId.ToString(), ["resourceId"] = resourceId.ToString(), ["scope"] = scope };

    private static async Task<JsonNode> CreateAsync(AdminClient admin, object body)
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, Grants, body);
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!;
    }

    private static string Scp(TokenResponse tokens) => tokens.Access.TryGetClaim("scp", out var scp) ? scp.Value : string.Empty;

    private static bool AskedForConsent(UserAgent browser) => browser.History.Any(h => h.Url.Contains("/account/consent", StringComparison.OrdinalIgnoreCase));

    /// <summary>Signs the user in to the client through the pages; the tokens, and whether the consent page was shown.</summary>
    private async Task<(TokenResponse Tokens, bool Asked)> SignInAsync(CodeFlowClient client, string userName, string scope)
    {
        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce, scope), userName);
        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
        tokens.AssertSuccess();
        return (tokens, AskedForConsent(browser));
    }

    private Task<List<string?>> AuthorizationStatusesAsync(Guid userId, Guid clientId)
        => server.Directory.QueryAsync(db => db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .Where(a => a.Subject == userId.ToString("D") && a.Application!.ClientId == clientId.ToString("D"))
            .Select(a => a.Status)
            .ToListAsync());

    private static JsonArray Changed(JsonNode entry) => entry["targetResources"]![0]!["modifiedProperties"]!.AsArray();

    private static string? NewValue(JsonNode entry, string property)
        => Changed(entry).Single(p => p!["displayName"]!.GetValue<string>() == property)!["newValue"]?.GetValue<string>();

    private static string? OldValue(JsonNode entry, string property)
        => Changed(entry).Single(p => p!["displayName"]!.GetValue<string>() == property)!["oldValue"]?.GetValue<string>();

    [Fact]
    public async Task Create_AllPrincipals_201InGraphsShape_ReadableEveryWayAndAudited()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);

        var created = await CreateAsync(admin, ForEveryone(client.AppId, api.AppId, "Orders.Read Orders.ReadWrite"));

        var id = created["id"]!.GetValue<string>();
        Assert.Equal(client.AppId.ToString(), created["clientId"]!.GetValue<string>());
        Assert.Equal("AllPrincipals", created["consentType"]!.GetValue<string>());
        Assert.Null(created["principalId"]);
        Assert.True(created.AsObject().ContainsKey("principalId"));
        Assert.Equal(api.AppId.ToString(), created["resourceId"]!.GetValue<string>());
        Assert.Equal("Orders.Read Orders.ReadWrite", created["scope"]!.GetValue<string>());

        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DelegatedPermissionGrantReadAll);
        var (status, got) = await reader.JsonAsync(HttpMethod.Get, $"{Grants}/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(created.ToJsonString(), got!.ToJsonString());

        var (_, filtered) = await reader.JsonAsync(HttpMethod.Get, $"{Grants}?$filter=clientId eq '{client.AppId}' and resourceId eq '{api.AppId}' and consentType eq 'AllPrincipals'&$count=true");
        Assert.Equal(1, filtered!["@odata.count"]!.GetValue<int>());
        Assert.Equal(id, filtered["value"]![0]!["id"]!.GetValue<string>());

        var (_, ofClient) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals/{client.AppId}/{Grants}");
        Assert.Equal(id, Assert.Single(ofClient!["value"]!.AsArray())!["id"]!.GetValue<string>());
        var (_, ofApi) = await reader.JsonAsync(HttpMethod.Get, $"servicePrincipals/{api.AppId}/{Grants}");
        Assert.Empty(ofApi!["value"]!.AsArray());

        // Directory.Read.All reads them too.
        using var directoryReader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DirectoryReadAll);
        Assert.Equal(HttpStatusCode.OK, (await directoryReader.JsonAsync(HttpMethod.Get, $"{Grants}/{id}")).Status);

        var entry = Assert.Single(await AdminAudit.ForTargetAsync(server, client.AppId.ToString()));
        Assert.Equal("Add delegated permission grant", entry["activityDisplayName"]!.GetValue<string>());
        Assert.Equal("ApplicationManagement", entry["category"]!.GetValue<string>());
        Assert.Equal("ServicePrincipal", entry["targetResources"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Orders.Read Orders.ReadWrite", NewValue(entry, "DelegatedPermissionGrant.Scope"));
        Assert.Equal("AllPrincipals", NewValue(entry, "DelegatedPermissionGrant.ConsentType"));
        Assert.Equal(api.AppId.ToString(), NewValue(entry, "DelegatedPermissionGrant.ResourceId"));
    }

    [Fact]
    public async Task Create_Principal_ListedForTheUserByIdAndUpn_ETagAndLocation()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        var user = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);

        using var response = await admin.SendAsync(HttpMethod.Post, Grants, ForUser(client.AppId, api.AppId, user.Id, "Orders.Read"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(user.Id.ToString(), created["principalId"]!.GetValue<string>());
        Assert.Equal("Principal", created["consentType"]!.GetValue<string>());
        Assert.Equal(created["@odata.etag"]!.GetValue<string>(), response.Headers.ETag!.ToString());
        Assert.EndsWith($"/admin/v1/{Grants}/{created["id"]!.GetValue<string>()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);

        foreach (var name in new[] { user.Id.ToString(), user.UserName! })
        {
            var (status, page) = await admin.JsonAsync(HttpMethod.Get, $"users/{Uri.EscapeDataString(name)}/{Grants}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(created["id"]!.GetValue<string>(), Assert.Single(page!["value"]!.AsArray())!["id"]!.GetValue<string>());
        }

        var (_, byPrincipal) = await admin.JsonAsync(HttpMethod.Get, $"{Grants}?$filter=principalId eq '{user.Id}'");
        Assert.Single(byPrincipal!["value"]!.AsArray());
        var entry = Assert.Single(await AdminAudit.ForTargetAsync(server, client.AppId.ToString()));
        Assert.Equal(user.Id.ToString(), NewValue(entry, "DelegatedPermissionGrant.PrincipalId"));
    }

    [Fact]
    public async Task Create_OpenIdConnectScopesOnTheAdminApi_Allowed_ElsewhereRefused()
    {
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);

        await CreateAsync(admin, ForEveryone(client.AppId, adminApi, "openid profile email offline_access"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3091",
            await admin.JsonAsync(HttpMethod.Post, Grants, ForEveryone(client.AppId, api.AppId, "openid Orders.Read")));
    }

    public static TheoryData<string, string> InvalidGrants => new()
    {
        { "unknownClient", "TSR3093" },
        { "clientObjectIdInsteadOfAppId", "TSR3093" },
        { "clientOfAnotherTenant", "TSR3093" },
        { "unknownResource", "TSR3094" },
        { "consentTypeUnknown", "TSR3095" },
        { "consentTypeMissing", "TSR3095" },
        { "principalMissing", "TSR3096" },
        { "principalForEveryone", "TSR3097" },
        { "principalUnknown", "TSR3098" },
        { "principalIsAnApplication", "TSR3098" },
        { "principalOfAnotherTenant", "TSR3098" },
        { "scopeMissing", "TSR3090" },
        { "scopeBlank", "TSR3090" },
        { "scopeUnknown", "TSR3091" },
        { "scopeDisabled", "TSR3091" },
        { "scopeIsAnAppRole", "TSR3091" },
        { "scopeWrongCase", "TSR3091" },
        { "scopeTooMany", "TSR3092" },
        { "unknownProperty", "TSR3018" },
        { "clientIdNotAGuid", "TSR3018" },
        { "principalIdNotAGuid", "TSR3018" },
        { "scopeNotText", "TSR3018" },
        { "notJson", "TSR3018" },
    };

    [Theory]
    [MemberData(nameof(InvalidGrants))]
    public async Task Create_Invalid_400NamingTheRuleAndNothingWritten(string problem, string code)
    {
        var api = await server.Directory.RegisterAsync(new NewApplication("grant api " + Guid.NewGuid().ToString("N")[..6])
        {
            Scopes =
            [
                new PermissionScope { Id = Guid.NewGuid(), Value = "Jobs.Read" },
                new PermissionScope { Id = Guid.NewGuid(), Value = "Jobs.Old", IsEnabled = false },
            ],
            AppRoles = [new AppRole { Id = Guid.NewGuid(), Value = "Jobs.Run", AllowedMemberTypes = ["Application"] }],
        });
        var client = await RegisterClientAsync();
        var user = await server.Directory.CreateUserAsync();
        var other = await server.Directory.CreateTenantAsync("other-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        Dictionary<string, object?> Valid() => ForUser(client.AppId, api.AppId, user.Id, "Jobs.Read");
        Dictionary<string, object?> With(string name, object? value)
        {
            var body = Valid();
            body[name] = value;
            return body;
        }

        Dictionary<string, object?> Without(string name)
        {
            var body = Valid();
            body.Remove(name);
            return body;
        }

        object body = problem switch
        {
            "unknownClient" => With("clientId", Guid.NewGuid().ToString()),
            "clientObjectIdInsteadOfAppId" => With("clientId", client.Id.ToString()),
            "clientOfAnotherTenant" => With("clientId", (await other.RegisterAsync(new NewApplication("elsewhere"))).AppId.ToString()),
            "unknownResource" => With("resourceId", Guid.NewGuid().ToString()),
            "consentTypeUnknown" => With("consentType", "Everyone"),
            "consentTypeMissing" => Without("consentType"),
            "principalMissing" => With("principalId", null),
            "principalForEveryone" => With("consentType", "AllPrincipals"),
            "principalUnknown" => With("principalId", Guid.NewGuid().ToString()),
            "principalIsAnApplication" => With("principalId", client.AppId.ToString()),
            "principalOfAnotherTenant" => With("principalId", (await other.CreateUserAsync()).Id.ToString()),
            "scopeMissing" => Without("scope"),
            "scopeBlank" => With("scope", "  "),
            "scopeUnknown" => With("scope", "Jobs.Read Jobs.Write"),
            "scopeDisabled" => With("scope", "Jobs.Old"),
            "scopeIsAnAppRole" => With("scope", "Jobs.Run"),
            "scopeWrongCase" => With("scope", "jobs.read"),
            "scopeTooMany" => With("scope", string.Join(' ', Enumerable.Repeat("Jobs.Read", 1).Concat(Enumerable.Range(0, 120).Select(i => $"S{i}")))),
            "unknownProperty" => With("startTime", "2026-01-01T00:00:00Z"),
            "clientIdNotAGuid" => With("clientId", "orders"),
            "principalIdNotAGuid" => With("principalId", "someone"),
            "scopeNotText" => With("scope", new[] { "Jobs.Read" }),
            _ => "{not json",
        };

        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, Grants, body));
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.ClientId == client.AppId)));
        Assert.Empty(await AdminAudit.ForTargetAsync(server, client.AppId.ToString()));
    }

    [Fact]
    public async Task Create_Duplicate_409NamingTheExistingGrant_ForEveryoneAndForOneUser()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        var user = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var everyone = await CreateAsync(admin, ForEveryone(client.AppId, api.AppId, "Orders.Read"));
        var one = await CreateAsync(admin, ForUser(client.AppId, api.AppId, user.Id, "Orders.Read"));

        var again = await admin.JsonAsync(HttpMethod.Post, Grants, ForEveryone(client.AppId, api.AppId, "Orders.ReadWrite"));
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3099", again);
        Assert.Contains(everyone["id"]!.GetValue<string>(), again.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var againForUser = await admin.JsonAsync(HttpMethod.Post, Grants, ForUser(client.AppId, api.AppId, user.Id, "Orders.ReadWrite"));
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3099", againForUser);
        Assert.Contains(one["id"]!.GetValue<string>(), againForUser.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(user.UserName!, againForUser.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_WithoutTheWritePermission_403()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var id = (await CreateAsync(admin, ForEveryone(client.AppId, api.AppId, "Orders.Read")))["id"]!.GetValue<string>();

        foreach (var permission in new[] { AdminPermissions.DelegatedPermissionGrantReadAll, AdminPermissions.ApplicationReadWriteAll, AdminPermissions.DirectoryReadAll })
        {
            using var caller = await AdminClient.WithPermissionsAsync(server, permission);
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Post, Grants, ForEveryone(client.AppId, api.AppId, "Orders.ReadWrite")));
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", new { scope = "Orders.ReadWrite" }));
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Delete, $"{Grants}/{id}"));
        }

        using var appAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await appAdmin.JsonAsync(HttpMethod.Get, Grants));
        var (_, after) = await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{id}");
        Assert.Equal("Orders.Read", after!["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminApi_OnlyThePermissionsTheCallerHolds()
    {
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var client = await RegisterClientAsync();
        using var granter = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DelegatedPermissionGrantReadWriteAll);

        // Not a way up: a permission it lacks, even next to OpenID Connect scopes.
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3100",
            await granter.JsonAsync(HttpMethod.Post, Grants, ForEveryone(client.AppId, adminApi, "openid User.ReadWrite.All")));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3100",
            await granter.JsonAsync(HttpMethod.Post, Grants, ForEveryone(client.AppId, adminApi, "Directory.ReadWrite.All")));

        // What it holds (implied ones included) it may pass on; then not widen beyond it.
        var created = await CreateAsync(granter, ForEveryone(client.AppId, adminApi, "openid DelegatedPermissionGrant.Read.All"));
        var id = created["id"]!.GetValue<string>();
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3100",
            await granter.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", new { scope = "openid DelegatedPermissionGrant.Read.All Application.Read.All" }));

        // Nor take away what it lacks.
        var other = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var strong = (await CreateAsync(admin, ForEveryone(other.AppId, adminApi, "User.Read.All")))["id"]!.GetValue<string>();
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3100", await granter.JsonAsync(HttpMethod.Delete, $"{Grants}/{strong}"));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3100", await granter.JsonAsync(HttpMethod.Patch, $"{Grants}/{strong}", new { scope = "openid" }));
        Assert.Equal(HttpStatusCode.OK, (await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{strong}")).Status);

        // A grant of OpenID Connect scopes only is anyone's to change.
        Assert.Equal(HttpStatusCode.NoContent, (await granter.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", new { scope = "openid profile" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await granter.JsonAsync(HttpMethod.Delete, $"{Grants}/{id}")).Status);
    }

    [Fact]
    public async Task Patch_Scope_WithETag_ChangesAndAudits_StaleETag412()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreateAsync(admin, ForEveryone(client.AppId, api.AppId, "Orders.Read Orders.ReadWrite"));
        var id = created["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        using (var response = await admin.SendAsync(HttpMethod.Patch, $"{Grants}/{id}", new { scope = "Orders.Read" }, etag))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.NotEqual(etag, response.Headers.ETag!.ToString());
        }

        var (_, after) = await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{id}");
        Assert.Equal("Orders.Read", after!["scope"]!.GetValue<string>());
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", new { scope = "Orders.ReadWrite" }, etag));

        var entry = (await AdminAudit.ForTargetAsync(server, client.AppId.ToString()))
            .Single(e => e["activityDisplayName"]!.GetValue<string>() == "Update delegated permission grant");
        Assert.Equal("Orders.Read Orders.ReadWrite", OldValue(entry, "DelegatedPermissionGrant.Scope"));
        Assert.Equal("Orders.Read", NewValue(entry, "DelegatedPermissionGrant.Scope"));

        // Sending the whole object back with the same client, API and consent type is no change of those.
        var whole = after.AsObject().Where(p => !p.Key.StartsWith('@')).ToDictionary(p => p.Key, p => p.Value?.DeepClone());
        whole["scope"] = "Orders.ReadWrite";
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", whole)).Status);
    }

    [Theory]
    [InlineData("{\"consentType\":\"Principal\"}", "TSR3101")]
    [InlineData("{\"scope\":\"Orders.Read\",\"resourceId\":\"6a1a73f4-1c5a-4b8e-9a9c-2f6a4f9d7c11\"}", "TSR3101")]
    [InlineData("{\"scope\":\"Orders.Read\",\"principalId\":\"6a1a73f4-1c5a-4b8e-9a9c-2f6a4f9d7c11\"}", "TSR3101")]
    [InlineData("{\"scope\":\"\"}", "TSR3090")]
    [InlineData("{}", "TSR3090")]
    [InlineData("{\"scope\":\"Orders.Read Orders.Delete\"}", "TSR3091")]
    [InlineData("{\"scope\":\"openid\"}", "TSR3091")]
    [InlineData("{\"scope\":42}", "TSR3018")]
    public async Task Patch_Invalid_400NamingTheRuleAndUnchanged(string body, string code)
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var id = (await CreateAsync(admin, ForEveryone(client.AppId, api.AppId, "Orders.ReadWrite")))["id"]!.GetValue<string>();

        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", body));
        var (_, after) = await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{id}");
        Assert.Equal("Orders.ReadWrite", after!["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_RemovesAndAudits_ThenEverythingIs404()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        var user = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var id = (await CreateAsync(admin, ForUser(client.AppId, api.AppId, user.Id, "Orders.Read")))["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Grants}/{id}")).Status);

        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{id}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, $"{Grants}/{id}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Patch, $"{Grants}/{id}", new { scope = "Orders.Read" }));
        var entry = (await AdminAudit.ForTargetAsync(server, client.AppId.ToString()))
            .Single(e => e["activityDisplayName"]!.GetValue<string>() == "Remove delegated permission grant");
        Assert.Equal("Orders.Read", OldValue(entry, "DelegatedPermissionGrant.Scope"));
        Assert.Null(NewValue(entry, "DelegatedPermissionGrant.Scope"));
        Assert.Equal("Principal", OldValue(entry, "DelegatedPermissionGrant.ConsentType"));
        Assert.Equal(user.Id.ToString(), OldValue(entry, "DelegatedPermissionGrant.PrincipalId"));
        Assert.Equal(api.AppId.ToString(), OldValue(entry, "DelegatedPermissionGrant.ResourceId"));
    }

    [Fact]
    public async Task Reads_UnknownOrOtherTenant_404_AndBadQuery_400()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{Guid.NewGuid()}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{Guid.NewGuid()}/{Grants}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"users/nobody@nowhere.example/{Grants}"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await admin.JsonAsync(HttpMethod.Get, $"{Grants}?$filter=scope eq 'Orders.Read'"));

        // Another tenant's grant is not this tenant's to see.
        var other = await server.Directory.CreateTenantAsync("grants-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var app = await other.RegisterAsync(new NewApplication("elsewhere"));
        await other.GrantConsentAsync(app.AppId, app.AppId, "x");
        var foreign = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.Where(g => g.ClientId == app.AppId).Select(g => g.Id).SingleAsync());
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"{Grants}/{foreign}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, $"{Grants}/{foreign}"));
        var (_, all) = await admin.JsonAsync(HttpMethod.Get, $"{Grants}?$filter=clientId eq '{app.AppId}'");
        Assert.Empty(all!["value"]!.AsArray());
    }

    [Fact]
    public async Task List_TopPagesWithNextLink()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(admin, ForUser(client.AppId, api.AppId, (await server.Directory.CreateUserAsync()).Id, "Orders.Read"));
        }

        var (_, first) = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{client.AppId}/{Grants}?$top=2&$count=true");
        Assert.Equal(3, first!["@odata.count"]!.GetValue<int>());
        Assert.Equal(2, first["value"]!.AsArray().Count);
        var next = new Uri(first["@odata.nextLink"]!.GetValue<string>()).PathAndQuery["/admin/v1/".Length..];
        var (_, second) = await admin.JsonAsync(HttpMethod.Get, next);
        Assert.Single(second!["value"]!.AsArray());
        Assert.Null(second["@odata.nextLink"]);
    }

    [Fact]
    public async Task EndToEnd_GrantForEveryone_NoConsentAsked_NarrowedThenDeleted_RefreshFollows()
    {
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var api = await RegisterApiAsync();
        var identifier = api.IdentifierUris[0];
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var colleague = await server.Directory.CreateUserAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        await CreateAsync(admin, ForEveryone(client.Application.AppId, adminApi, "openid offline_access"));
        var apiGrant = (await CreateAsync(admin, ForEveryone(client.Application.AppId, api.AppId, "Orders.Read Orders.ReadWrite")))["id"]!.GetValue<string>();

        var scope = $"openid offline_access {identifier}/Orders.Read {identifier}/Orders.ReadWrite";
        var (tokens, asked) = await SignInAsync(client, user.UserName!, scope);
        Assert.False(asked, "An administrator granted everything for everyone: nobody is asked.");
        Assert.Equal("Orders.Read Orders.ReadWrite", Scp(tokens));
        var (colleagueTokens, _) = await SignInAsync(client, colleague.UserName!, scope);

        // Narrowed: the next refresh carries only what is left.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"{Grants}/{apiGrant}", new { scope = "Orders.Read" })).Status);
        using var http = server.CreateHttpClient();
        var narrowed = await client.RefreshAsync(http, tokens.RefreshToken!);
        narrowed.AssertSuccess();
        Assert.Equal("Orders.Read", Scp(narrowed));

        // Deleted: every user's refresh token of this client ends at once (OpenIddict's own refusal, before any
        // consent check), and their authorizations are revoked.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Grants}/{apiGrant}")).Status);
        var refused = await client.RefreshAsync(http, narrowed.RefreshToken!);
        refused.AssertError("invalid_grant");
        Assert.DoesNotContain("TSR2035", refused.ErrorDescription ?? string.Empty, StringComparison.Ordinal);
        (await client.RefreshAsync(http, colleagueTokens.RefreshToken!)).AssertError("invalid_grant");
        foreach (var person in new[] { user.Id, colleague.Id })
        {
            var statuses = await AuthorizationStatusesAsync(person, client.Application.AppId);
            Assert.NotEmpty(statuses);
            Assert.All(statuses, s => Assert.Equal("revoked", s));
        }
    }

    [Fact]
    public async Task EndToEnd_OneUsersGrantDeleted_OnlyThatUsersRefreshTokensEnd()
    {
        await server.Directory.SetUserConsentPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var api = await RegisterApiAsync();
        var identifier = api.IdentifierUris[0];
        var client = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var colleague = await server.Directory.CreateUserAsync();
        var scope = $"openid offline_access {identifier}/Orders.Read";

        // Each consents for themselves: Principal grants.
        var (tokens, asked) = await SignInAsync(client, user.UserName!, scope);
        Assert.True(asked);
        var (colleagueTokens, _) = await SignInAsync(client, colleague.UserName!, scope);
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, mine) = await admin.JsonAsync(HttpMethod.Get, $"users/{user.Id}/{Grants}?$filter=resourceId eq '{api.AppId}'");
        var grant = Assert.Single(mine!["value"]!.AsArray())!;
        Assert.Equal("Principal", grant["consentType"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Grants}/{grant["id"]!.GetValue<string>()}")).Status);

        using var http = server.CreateHttpClient();
        var refused = await client.RefreshAsync(http, tokens.RefreshToken!);
        refused.AssertError("invalid_grant");
        Assert.DoesNotContain("TSR2035", refused.ErrorDescription ?? string.Empty, StringComparison.Ordinal);
        var still = await client.RefreshAsync(http, colleagueTokens.RefreshToken!);
        still.AssertSuccess();
        Assert.Equal("Orders.Read", Scp(still));
        Assert.Contains("valid", await AuthorizationStatusesAsync(colleague.Id, client.Application.AppId));
    }
}
