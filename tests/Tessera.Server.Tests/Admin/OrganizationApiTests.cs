using System.Net;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class OrganizationApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static string NewDomain() => $"d{Guid.NewGuid():N}"[..12] + ".example";

    [Fact]
    public async Task Organization_Get_TheCallersTenantWithItsVerifiedDomains()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DirectoryReadAll);
        var (status, page) = await reader.JsonAsync(HttpMethod.Get, "organization");
        Assert.Equal(HttpStatusCode.OK, status);
        var organization = Assert.Single(page!["value"]!.AsArray())!;
        Assert.Equal(server.TenantId.ToString(), organization["id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(organization["displayName"]!.GetValue<string>()));
        Assert.NotNull(organization["createdDateTime"]);
        var initial = organization["verifiedDomains"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == server.Bootstrap.Domain)!;
        Assert.True(initial["isDefault"]!.GetValue<bool>());
        Assert.True(initial["isInitial"]!.GetValue<bool>());
        Assert.Equal("Managed", initial["type"]!.GetValue<string>());

        var (oneStatus, one) = await reader.JsonAsync(HttpMethod.Get, $"organization/{server.TenantId}");
        Assert.Equal(HttpStatusCode.OK, oneStatus);
        Assert.Equal(server.TenantId.ToString(), one!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Organization_AnotherTenantsId_404()
    {
        var other = await server.Directory.CreateTenantAsync(NewDomain());
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"organization/{other.TenantId}"));
    }

    [Fact]
    public async Task Read_WithoutDirectoryRead_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, "organization"));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, "domains"));
    }

    [Fact]
    public async Task Domains_AddThenVerify_UsableForUsersOnlyOnceVerified()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var name = NewDomain();
        var (status, added) = await admin.JsonAsync(HttpMethod.Post, "domains", new { id = name.ToUpperInvariant() });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(name, added!["id"]!.GetValue<string>());
        Assert.False(added["isVerified"]!.GetValue<bool>());
        Assert.False(added["isDefault"]!.GetValue<bool>());

        var (_, organization) = await admin.JsonAsync(HttpMethod.Get, "organization");
        Assert.DoesNotContain(organization!["value"]![0]!["verifiedDomains"]!.AsArray(), d => d!["name"]!.GetValue<string>() == name);
        var user = new { accountEnabled = true, displayName = "On the new domain", userPrincipalName = "carol@" + name, passwordProfile = new { password = TestDirectory.Password } };
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3024", await admin.JsonAsync(HttpMethod.Post, "users", user));

        var (verifiedStatus, verified) = await admin.JsonAsync(HttpMethod.Post, $"domains/{name}/verify");
        Assert.Equal(HttpStatusCode.OK, verifiedStatus);
        Assert.True(verified!["isVerified"]!.GetValue<bool>());
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"domains/{name}");
        Assert.True(read!["isVerified"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, "users", user)).Status);

        // Who verified it and when: the audit log is the record of an administrator's word.
        var audit = await AdminAudit.ForTargetAsync(server, name);
        Assert.Equal(["Add unverified domain", "Verify domain"], audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        Assert.Equal(server.Bootstrap.ClientId, audit[1]["initiatedBy"]!["app"]!["appId"]!.GetValue<string>());
        Assert.NotNull(audit[1]["activityDateTime"]);
        Assert.Contains(audit[1]["targetResources"]![0]!["modifiedProperties"]!.AsArray(),
            p => p!["displayName"]!.GetValue<string>() == "isVerified" && p["newValue"]!.GetValue<string>() == "True");

        // Verifying again changes nothing and records nothing.
        Assert.Equal(HttpStatusCode.OK, (await admin.JsonAsync(HttpMethod.Post, $"domains/{name}/verify")).Status);
        Assert.Equal(2, (await AdminAudit.ForTargetAsync(server, name)).Count);
    }

    [Fact]
    public async Task Domains_List_FilterByVerification()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var name = NewDomain();
        await admin.JsonAsync(HttpMethod.Post, "domains", new { id = name });
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DirectoryReadAll);
        var (status, unverified) = await reader.JsonAsync(HttpMethod.Get, "domains?$filter=isVerified eq false");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(unverified!["value"]!.AsArray(), d => d!["id"]!.GetValue<string>() == name);
        Assert.DoesNotContain(unverified["value"]!.AsArray(), d => d!["id"]!.GetValue<string>() == server.Bootstrap.Domain);
        var (_, byId) = await reader.JsonAsync(HttpMethod.Get, $"domains?$filter=id eq '{server.Bootstrap.Domain}'");
        Assert.True(Assert.Single(byId!["value"]!.AsArray())!["isInitial"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("nodot")]
    [InlineData("-lead.example")]
    [InlineData("trail-.example")]
    [InlineData("double..example")]
    [InlineData("with space.example")]
    [InlineData("under_score.example")]
    [InlineData("10.0.0.1")]
    [InlineData("*.example")]
    [InlineData("https://contoso.example")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example")]
    public async Task Domains_AddInvalidName_400TSR3035(string name)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3035", await admin.JsonAsync(HttpMethod.Post, "domains", new { id = name }));
    }

    [Fact]
    public async Task Domains_AddMalformedBody_400()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3023", await admin.JsonAsync(HttpMethod.Post, "domains", new { }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, "domains", new { id = 7 }));
    }

    [Fact]
    public async Task Domains_AddTakenAnywhere_400TSR3036()
    {
        var taken = NewDomain();
        await server.Directory.CreateTenantAsync(taken);
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3036", await admin.JsonAsync(HttpMethod.Post, "domains", new { id = taken }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3036", await admin.JsonAsync(HttpMethod.Post, "domains", new { id = server.Bootstrap.Domain }));
    }

    [Fact]
    public async Task Domains_VerifyUnknownOrAnotherTenants_404()
    {
        var foreign = NewDomain();
        await server.Directory.CreateTenantAsync(foreign);
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"domains/{NewDomain()}/verify"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"domains/{foreign}/verify"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"domains/{foreign}"));
    }

    [Fact]
    public async Task Domains_ChangeWithDirectoryReadOnly_403()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var name = NewDomain();
        await admin.JsonAsync(HttpMethod.Post, "domains", new { id = name });
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DirectoryReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, "domains", new { id = NewDomain() }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, $"domains/{name}/verify"));
    }
}
