using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class FederatedCredentialsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string GitHub = "https://token.actions.githubusercontent.com";
    private const string Main = "repo:contoso/orders:ref:refs/heads/main";
    private const string Activity = "Update application – Certificates and secrets management";

    private static object Credential(string name = "github-main", string issuer = GitHub, string subject = Main)
        => new { name, issuer, subject, description = "Deploys from main" };

    private static async Task<string> CreateAppAsync(AdminClient caller, string name = "workload")
    {
        var (status, created) = await caller.JsonAsync(HttpMethod.Post, "applications", new { displayName = name + " " + Guid.NewGuid().ToString("N")[..6] });
        Assert.Equal(HttpStatusCode.Created, status);
        return created!["id"]!.GetValue<string>();
    }

    private static string Path(string appId, string? credential = null)
        => $"applications/{appId}/federatedIdentityCredentials" + (credential is null ? string.Empty : "/" + Uri.EscapeDataString(credential));

    [Fact]
    public async Task Create_Valid_201WithGraphShapeAndDefaultAudience()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);

        var (status, created) = await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True(Guid.TryParse(created!["id"]!.GetValue<string>(), out _));
        Assert.Equal("github-main", created["name"]!.GetValue<string>());
        Assert.Equal(GitHub, created["issuer"]!.GetValue<string>());
        Assert.Equal(Main, created["subject"]!.GetValue<string>());
        Assert.Equal("Deploys from main", created["description"]!.GetValue<string>());
        Assert.Equal(["api://AzureADTokenExchange"], created["audiences"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task Get_ByIdOrByName_AndListed()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, Path(app), new { name = "aks-orders", issuer = "https://oidc.prod-aks.azure.com/abc/", subject = "system:serviceaccount:orders:api", audiences = new[] { "api://custom" } });
        var id = created!["id"]!.GetValue<string>();

        foreach (var key in new[] { id, "aks-orders", "AKS-ORDERS" })
        {
            var (status, read) = await admin.JsonAsync(HttpMethod.Get, Path(app, key));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(id, read!["id"]!.GetValue<string>());
            Assert.Equal("api://custom", read["audiences"]![0]!.GetValue<string>());
        }

        var (listed, list) = await admin.JsonAsync(HttpMethod.Get, Path(app));
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(id, Assert.Single(list!["value"]!.AsArray())!["id"]!.GetValue<string>());
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, Path(app, "no-such-credential")));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, Path(app, Guid.NewGuid().ToString())));
    }

    [Fact]
    public async Task Application_DoesNotShowItsFederatedCredentials()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(app), Credential())).Status);

        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{app}");
        Assert.False(read!.AsObject().ContainsKey("federatedIdentityCredentials"));
        var (_, list) = await admin.JsonAsync(HttpMethod.Get, "applications?$filter=id eq '" + app + "'");
        Assert.False(Assert.Single(list!["value"]!.AsArray())!.AsObject().ContainsKey("federatedIdentityCredentials"));
    }

    [Fact]
    public async Task List_FilterSelectTop()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(app), Credential($"env-{i}", subject: $"repo:contoso/orders:environment:e{i}"))).Status);
        }

        var (_, filtered) = await admin.JsonAsync(HttpMethod.Get, Path(app) + "?$filter=name eq 'env-1'&$select=name");
        var only = Assert.Single(filtered!["value"]!.AsArray())!;
        Assert.Equal("env-1", only["name"]!.GetValue<string>());
        Assert.Null(only["issuer"]);

        var (_, page) = await admin.JsonAsync(HttpMethod.Get, Path(app) + "?$top=2&$count=true");
        Assert.Equal(2, page!["value"]!.AsArray().Count);
        Assert.Equal(3, page["@odata.count"]!.GetValue<int>());
        Assert.NotNull(page["@odata.nextLink"]);

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await admin.JsonAsync(HttpMethod.Get, Path(app) + "?$filter=audiences eq 'x'"));
    }

    [Theory]
    [InlineData("{\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\"}", "TSR3050")]
    [InlineData("{\"name\":\"ab\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\"}", "TSR3051")]
    [InlineData("{\"name\":\"has space\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\"}", "TSR3052")]
    [InlineData("{\"name\":\"ok-name\",\"subject\":\"s\"}", "TSR3055")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"token.actions.githubusercontent.com\",\"subject\":\"s\"}", "TSR3056")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"http://token.actions.githubusercontent.com\",\"subject\":\"s\"}", "TSR3057")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://issuer.example.com/?t=1\",\"subject\":\"s\"}", "TSR3058")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://issuer.example.com/#f\",\"subject\":\"s\"}", "TSR3058")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\"}", "TSR3059")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"  \"}", "TSR3059")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\",\"audiences\":[]}", "TSR3061")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\",\"audiences\":[\"a\",\"b\"]}", "TSR3061")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\",\"claimsMatchingExpression\":{}}", "TSR3064")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\",\"id\":\"7f0c4a48-7d7a-4c39-a7f1-6d0e7e0a6a11\"}", "TSR3019")]
    [InlineData("{\"name\":42,\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\"}", "TSR3018")]
    [InlineData("{\"name\":\"ok-name\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"s\",\"audiences\":\"api://AzureADTokenExchange\"}", "TSR3018")]
    [InlineData("[1]", "TSR3018")]
    public async Task Create_BreaksARule_400NamingItAndNothingWritten(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, Path(app), body));
        Assert.Equal(0, await server.Directory.QueryAsync(db => db.FederatedIdentityCredentials.CountAsync(c => c.ApplicationId == Guid.Parse(app))));
    }

    [Theory]
    [InlineData("issuer", "TSR3060")]
    [InlineData("subject", "TSR3060")]
    [InlineData("audiences", "TSR3060")]
    [InlineData("description", "TSR3060")]
    [InlineData("name", "TSR3051")]
    public async Task Create_ValueTooLong_400(string field, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        var body = new JsonObject { ["name"] = "long-values", ["issuer"] = GitHub, ["subject"] = Main };
        body[field] = field switch
        {
            "issuer" => GitHub + "/" + new string('a', 600 - GitHub.Length),
            "audiences" => new JsonArray(new string('a', 601)),
            "name" => new string('n', 121),
            _ => new string('x', 601),
        };
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, Path(app), body.ToJsonString()));
    }

    [Fact]
    public async Task Create_LoopbackHttpIssuer_Accepted()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(app), Credential(issuer: "http://127.0.0.1:8080/issuer"))).Status);
    }

    [Fact]
    public async Task Create_DuplicateNameOrIssuerAndSubject_409()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(app), Credential())).Status);

        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3053", await admin.JsonAsync(HttpMethod.Post, Path(app), Credential(subject: "other")));
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3053", await admin.JsonAsync(HttpMethod.Post, Path(app), Credential("GitHub-Main", subject: "other")));
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3063", await admin.JsonAsync(HttpMethod.Post, Path(app), Credential("github-main-again")));

        // Another application may trust the same name, issuer and subject.
        var other = await CreateAppAsync(admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(other), Credential())).Status);
    }

    [Fact]
    public async Task Create_TwentyFirst_400()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(app), Credential($"branch-{i}", subject: $"repo:contoso/orders:ref:refs/heads/b{i}"))).Status);
        }

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3062", await admin.JsonAsync(HttpMethod.Post, Path(app), Credential("branch-20", subject: "repo:contoso/orders:ref:refs/heads/b20")));
        Assert.Equal(20, await server.Directory.QueryAsync(db => db.FederatedIdentityCredentials.CountAsync(c => c.ApplicationId == Guid.Parse(app))));
    }

    [Fact]
    public async Task Patch_ChangesValues_NameImmutable()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());
        var id = created!["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path(app, id), new
        {
            issuer = "https://gitlab.example.com",
            subject = "project_path:contoso/orders:ref_type:branch:ref:main",
            audiences = new[] { "https://gitlab.example.com" },
            description = "Moved to GitLab",
        })).Status);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, Path(app, "github-main"));
        Assert.Equal("https://gitlab.example.com", read!["issuer"]!.GetValue<string>());
        Assert.Equal("project_path:contoso/orders:ref_type:branch:ref:main", read["subject"]!.GetValue<string>());
        Assert.Equal("https://gitlab.example.com", read["audiences"]![0]!.GetValue<string>());
        Assert.Equal("Moved to GitLab", read["description"]!.GetValue<string>());

        // The whole body read back (with its id and unchanged name) is a valid PATCH; description null clears it.
        var sentBack = read.AsObject().DeepClone().AsObject();
        sentBack["description"] = null;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path(app, "github-main"), sentBack.ToJsonString())).Status);
        Assert.Null((await admin.JsonAsync(HttpMethod.Get, Path(app, id))).Json!["description"]);

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3054", await admin.JsonAsync(HttpMethod.Patch, Path(app, id), new { name = "renamed" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3057", await admin.JsonAsync(HttpMethod.Patch, Path(app, id), new { issuer = "http://gitlab.example.com" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3061", await admin.JsonAsync(HttpMethod.Patch, Path(app, id), new { audiences = Array.Empty<string>() }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3064", await admin.JsonAsync(HttpMethod.Patch, Path(app, id), new { displayName = "x" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3019", await admin.JsonAsync(HttpMethod.Patch, Path(app, id), new { id = Guid.NewGuid() }));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Patch, Path(app, "missing"), new { subject = "x" }));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, Path(app, "renamed")));
    }

    [Fact]
    public async Task Patch_ToAnotherCredentialsIssuerAndSubject_409()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential("github-pr", subject: "repo:contoso/orders:pull_request"));

        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3063", await admin.JsonAsync(HttpMethod.Patch, Path(app, "github-pr"), new { subject = Main }));
    }

    [Fact]
    public async Task Patch_StaleApplicationETag_412()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());
        using var response = await admin.SendAsync(HttpMethod.Get, Path(app, "github-main"));
        var etag = response.Headers.ETag!.ToString();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Path(app, "github-main"), new { description = "first" }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Patch, Path(app, "github-main"), new { description = "second" }, etag));
    }

    [Fact]
    public async Task Delete_ByNameOrId_204ThenGone()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        var (_, first) = await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential("github-pr", subject: "repo:contoso/orders:pull_request"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, Path(app, first!["id"]!.GetValue<string>()))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, Path(app, "github-pr"))).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Delete, Path(app, "github-pr")));
        Assert.Empty((await admin.JsonAsync(HttpMethod.Get, Path(app))).Json!["value"]!.AsArray());

        // A deleted name may be used again.
        Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, Path(app), Credential())).Status);
    }

    [Fact]
    public async Task DeleteApplication_RemovesItsCredentials()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin);
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"applications/{app}")).Status);
        Assert.Equal(0, await server.Directory.QueryAsync(db => db.FederatedIdentityCredentials.CountAsync(c => c.ApplicationId == Guid.Parse(app))));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, Path(app)));
    }

    [Fact]
    public async Task Reader_ListsAndReads_CannotWrite()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);
        var app = await CreateAppAsync(admin);
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());

        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, Path(app))).Status);
        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, Path(app, "github-main"))).Status);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, Path(app), Credential("reader-added", subject: "x")));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Patch, Path(app, "github-main"), new { subject = "x" }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Delete, Path(app, "github-main")));
    }

    [Fact]
    public async Task CallerWithoutApplicationPermissions_Refused()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var userAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        var app = await CreateAppAsync(admin);

        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await userAdmin.JsonAsync(HttpMethod.Get, Path(app)));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await userAdmin.JsonAsync(HttpMethod.Post, Path(app), Credential()));
    }

    [Fact]
    public async Task OwnedBy_ManagesCredentialsOfOwnAppsOnly()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var developer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteOwnedBy);
        var mine = await CreateAppAsync(developer, "mine");
        var theirs = await CreateAppAsync(admin, "theirs");
        await admin.JsonAsync(HttpMethod.Post, Path(theirs), Credential());

        Assert.Equal(HttpStatusCode.Created, (await developer.JsonAsync(HttpMethod.Post, Path(mine), Credential())).Status);
        Assert.Single((await developer.JsonAsync(HttpMethod.Get, Path(mine))).Json!["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await developer.JsonAsync(HttpMethod.Patch, Path(mine, "github-main"), new { description = "mine" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await developer.JsonAsync(HttpMethod.Delete, Path(mine, "github-main"))).Status);

        // Someone else's application does not exist for an OwnedBy caller.
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await developer.JsonAsync(HttpMethod.Get, Path(theirs)));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await developer.JsonAsync(HttpMethod.Get, Path(theirs, "github-main")));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await developer.JsonAsync(HttpMethod.Post, Path(theirs), Credential("stolen", subject: "attacker")));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await developer.JsonAsync(HttpMethod.Patch, Path(theirs, "github-main"), new { subject = "attacker" }));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await developer.JsonAsync(HttpMethod.Delete, Path(theirs, "github-main")));
    }

    [Fact]
    public async Task ApplicationAdmin_CannotAddTrustToAMorePrivilegedApplication()
    {
        using var appAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        var bootstrap = await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == Guid.Parse(server.Bootstrap.ClientId)).Select(a => a.Id).FirstAsync());
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4011", await appAdmin.JsonAsync(HttpMethod.Post, Path(bootstrap.ToString()), Credential(subject: "repo:attacker/x:ref:refs/heads/main")));

        using var admin = await AdminClient.BootstrapAsync(server);
        var adminApiAppId = await AdminClient.AdminApiAppIdAsync(server);
        var adminApi = await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == adminApiAppId).Select(a => a.Id).FirstAsync());
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4010", await admin.JsonAsync(HttpMethod.Post, Path(adminApi.ToString()), Credential()));
    }

    [Fact]
    public async Task Audit_AddUpdateDelete_RecordedAsCredentialChanges()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var app = await CreateAppAsync(admin, "audited");
        await admin.JsonAsync(HttpMethod.Post, Path(app), Credential());
        await admin.JsonAsync(HttpMethod.Patch, Path(app, "github-main"), new { subject = "repo:contoso/orders:environment:prod" });
        await admin.JsonAsync(HttpMethod.Patch, Path(app, "github-main"), new { subject = "repo:contoso/orders:environment:prod" }); // no change, no entry
        await admin.JsonAsync(HttpMethod.Delete, Path(app, "github-main"));

        var entries = await AdminAudit.ForTargetAsync(server, app);
        Assert.Equal(["Add application", Activity, Activity, Activity], entries.Select(e => e["activityDisplayName"]!.GetValue<string>()));
        var changes = entries.Skip(1).Select(e => e["targetResources"]![0]!["modifiedProperties"]![0]!).ToList();
        Assert.All(changes, c => Assert.Equal("federatedIdentityCredentials", c["displayName"]!.GetValue<string>()));
        Assert.Null(changes[0]["oldValue"]);
        Assert.Contains(Main, changes[0]["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Main, changes[1]["oldValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("environment:prod", changes[1]["newValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("github-main", changes[2]["oldValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(changes[2]["newValue"]);
        Assert.Equal(server.Bootstrap.ClientId, entries[1]["initiatedBy"]!["app"]!["appId"]!.GetValue<string>());
    }
}
