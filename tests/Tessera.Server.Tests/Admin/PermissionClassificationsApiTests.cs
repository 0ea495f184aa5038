using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary><c>/servicePrincipals/{id}/delegatedPermissionClassifications</c>: risk ratings of an API's delegated permissions.</summary>
public sealed class PermissionClassificationsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    /// <summary>An API none of whose delegated permissions is rated yet.</summary>
    private async Task<Application> RegisterApiAsync()
    {
        var api = await server.Directory.RegisterApiAsync("api://rated-" + Guid.NewGuid().ToString("N")[..8]);
        await server.Directory.QueryAsync(db => db.DelegatedPermissionClassifications.Where(c => c.ResourceId == api.AppId).ExecuteDeleteAsync());
        return api;
    }

    private static string PathOf(Application api) => $"servicePrincipals/{api.AppId}/delegatedPermissionClassifications";

    private static Guid Scope(Application api, string value) => api.Oauth2PermissionScopes.Single(s => s.Value == value).Id;

    [Fact]
    public async Task Add_ByNameOrById_ListedInGraphShapeAndDeleted()
    {
        var api = await RegisterApiAsync();
        using var rater = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWritePermissionGrant);

        var (status, byName) = await rater.JsonAsync(HttpMethod.Post, PathOf(api), new { permissionName = "Orders.Read", classification = "low" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(Scope(api, "Orders.Read").ToString(), byName!["permissionId"]!.GetValue<string>());
        Assert.Equal("Orders.Read", byName["permissionName"]!.GetValue<string>());
        Assert.Equal("low", byName["classification"]!.GetValue<string>());
        Assert.True(Guid.TryParse(byName["id"]!.GetValue<string>(), out _));

        var (byIdStatus, byId) = await rater.JsonAsync(HttpMethod.Post, PathOf(api), new { permissionId = Scope(api, "Orders.ReadFull").ToString(), classification = "High" });
        Assert.Equal(HttpStatusCode.Created, byIdStatus);
        Assert.Equal("Orders.ReadFull", byId!["permissionName"]!.GetValue<string>());
        Assert.Equal("high", byId["classification"]!.GetValue<string>());

        // Both, naming the same permission, are fine too.
        var (bothStatus, _) = await rater.JsonAsync(HttpMethod.Post, PathOf(api),
            new { permissionId = Scope(api, "Orders.ReadWrite").ToString(), permissionName = "Orders.ReadWrite", classification = "medium" });
        Assert.Equal(HttpStatusCode.Created, bothStatus);

        var (listStatus, list) = await rater.JsonAsync(HttpMethod.Get, PathOf(api));
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal(["Orders.Read:low", "Orders.ReadFull:high", "Orders.ReadWrite:medium"],
            list!["value"]!.AsArray().Select(c => $"{c!["permissionName"]}:{c["classification"]}").Order(StringComparer.Ordinal));
        Assert.Equal(["classification", "id", "permissionId", "permissionName"], list["value"]![0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        var (_, low) = await rater.JsonAsync(HttpMethod.Get, PathOf(api) + "?$filter=classification eq 'low'");
        Assert.Equal("Orders.Read", Assert.Single(low!["value"]!.AsArray())!["permissionName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await rater.JsonAsync(HttpMethod.Delete, $"{PathOf(api)}/{byName["id"]}")).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await rater.JsonAsync(HttpMethod.Delete, $"{PathOf(api)}/{byName["id"]}"));
        var (_, after) = await rater.JsonAsync(HttpMethod.Get, PathOf(api));
        Assert.Equal(2, after!["value"]!.AsArray().Count);
    }

    [Fact]
    public async Task Add_SamePermissionTwice_409NamingTheExistingOne()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, first) = await admin.JsonAsync(HttpMethod.Post, PathOf(api), new { permissionName = "Orders.Read", classification = "low" });
        var conflict = await admin.JsonAsync(HttpMethod.Post, PathOf(api), new { permissionId = Scope(api, "Orders.Read").ToString(), classification = "high" });
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3077", conflict);
        Assert.Contains(first!["id"]!.GetValue<string>(), conflict.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, await server.Directory.QueryAsync(db => db.DelegatedPermissionClassifications.CountAsync(c => c.ResourceId == api.AppId)));
    }

    [Theory]
    [InlineData("{\"permissionName\":\"Orders.Read\",\"classification\":\"critical\"}", "TSR3073")]
    [InlineData("{\"permissionName\":\"Orders.Read\"}", "TSR3073")]
    [InlineData("{\"classification\":\"low\"}", "TSR3074")]
    [InlineData("{\"permissionName\":\" \",\"classification\":\"low\"}", "TSR3074")]
    [InlineData("{\"permissionName\":\"Orders.Delete\",\"classification\":\"low\"}", "TSR3075")]
    [InlineData("{\"permissionName\":\"orders.read\",\"classification\":\"low\"}", "TSR3075")]
    [InlineData("{\"permissionName\":\"Orders.Read.All\",\"classification\":\"low\"}", "TSR3075")]
    [InlineData("{\"permissionId\":\"5d0c9f8e-0000-4000-8000-000000000000\",\"classification\":\"low\"}", "TSR3075")]
    [InlineData("{\"permissionId\":\"not-a-guid\",\"classification\":\"low\"}", "TSR3018")]
    [InlineData("{\"permissionId\":7,\"classification\":\"low\"}", "TSR3018")]
    [InlineData("[]", "TSR3018")]
    public async Task Add_BreaksARule_400AndNothingStored(string body, string code)
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, PathOf(api), body));
        Assert.Equal(0, await server.Directory.QueryAsync(db => db.DelegatedPermissionClassifications.CountAsync(c => c.ResourceId == api.AppId)));
    }

    [Fact]
    public async Task Add_IdAndNameOfDifferentPermissions_400()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3076", await admin.JsonAsync(HttpMethod.Post, PathOf(api),
            new { permissionId = Scope(api, "Orders.ReadWrite").ToString(), permissionName = "Orders.Read", classification = "low" }));
    }

    [Fact]
    public async Task UnknownOrForeignServicePrincipal_404()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var body = new { permissionName = "Orders.Read", classification = "low" };
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{Guid.NewGuid()}/delegatedPermissionClassifications"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{Guid.NewGuid()}/delegatedPermissionClassifications", body));

        var other = await server.Directory.CreateTenantAsync("rated-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var foreign = await other.RegisterApiAsync("api://foreign-" + Guid.NewGuid().ToString("N")[..6]);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, PathOf(foreign), body));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, PathOf(foreign)));

        // A classification of another API is not reachable through this one.
        var api = await RegisterApiAsync();
        var second = await RegisterApiAsync();
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, PathOf(api), body);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, $"{PathOf(second)}/{created!["id"]}"));
    }

    [Fact]
    public async Task Permissions_ReadWithPolicyOrApplicationRead_WriteOnlyWithPermissionGrant()
    {
        var api = await RegisterApiAsync();
        var body = new { permissionName = "Orders.Read", classification = "low" };
        foreach (var reading in new[] { AdminPermissions.PolicyReadAll, AdminPermissions.ApplicationReadAll })
        {
            using var reader = await AdminClient.WithPermissionsAsync(server, reading);
            Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, PathOf(api))).Status);
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, PathOf(api), body));
        }

        foreach (var notEnough in new[] { AdminPermissions.ApplicationReadWriteAll, AdminPermissions.PolicyReadWriteAuthorization })
        {
            using var caller = await AdminClient.WithPermissionsAsync(server, notEnough);
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Post, PathOf(api), body));
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Delete, $"{PathOf(api)}/{Guid.NewGuid()}"));
        }

        using var nobody = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await nobody.JsonAsync(HttpMethod.Get, PathOf(api)));
    }

    [Fact]
    public async Task Audit_AddAndRemove_RecordedOnTheApisServicePrincipal()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, PathOf(api), new { permissionName = "Orders.ReadWrite", classification = "medium" });
        await admin.JsonAsync(HttpMethod.Delete, $"{PathOf(api)}/{created!["id"]}");

        var entries = await AdminAudit.ForTargetAsync(server, api.AppId.ToString());
        Assert.Equal(["Add delegated permission classification", "Remove delegated permission classification"],
            entries.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        Assert.Equal("ServicePrincipal", entries[0]["targetResources"]![0]!["type"]!.GetValue<string>());
        var added = entries[0]["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal("delegatedPermissionClassifications", added["displayName"]!.GetValue<string>());
        Assert.Contains("Orders.ReadWrite", added["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("medium", added["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(entries[1]["targetResources"]![0]!["modifiedProperties"]![0]!["newValue"]);
    }

    [Fact]
    public async Task DeleteApplication_RemovesItsClassifications()
    {
        var api = await RegisterApiAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        await admin.JsonAsync(HttpMethod.Post, PathOf(api), new { permissionName = "Orders.Read", classification = "low" });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"applications/{api.Id}")).Status);
        Assert.Equal(0, await server.Directory.QueryAsync(db => db.DelegatedPermissionClassifications.CountAsync(c => c.ResourceId == api.AppId)));
    }
}
