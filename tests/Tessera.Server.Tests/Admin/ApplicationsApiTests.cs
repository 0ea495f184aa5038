using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class ApplicationsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static object WebApp(string name) => new { displayName = name, web = new { redirectUris = new[] { "https://app.example.com/signin-oidc" } } };

    [Fact]
    public async Task Create_WebApp_RegistersAClientThatCanGetTokens()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "applications", WebApp("orders web"));
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created!["id"]!.GetValue<string>();
        var appId = created["appId"]!.GetValue<string>();
        Assert.Equal("AzureADMyOrg", created["signInAudience"]!.GetValue<string>());
        Assert.False(created["web"]!["implicitGrantSettings"]!["enableAccessTokenIssuance"]!.GetValue<bool>());

        var (_, secret) = await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/addPassword", new { passwordCredential = new { displayName = "ci" } });
        var secretText = secret!["secretText"]!.GetValue<string>();
        Assert.True(secretText.Length >= 43);

        // The secret is never shown again.
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{id}");
        Assert.Null(read!["passwordCredentials"]![0]!["secretText"]);
        Assert.DoesNotContain(secretText, read.ToJsonString(), StringComparison.Ordinal);

        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", appId), ("client_secret", secretText), ("scope", AdminPermissions.ApiIdentifier + "/.default"));
        token.AssertSuccess();
    }

    [Fact]
    public async Task Create_Always_MakesTheCallerOwner()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", WebApp("owned"));
        var (_, owners) = await admin.JsonAsync(HttpMethod.Get, $"applications/{created!["id"]}/owners");
        Assert.Single(owners!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"redirectUris\":[\"http://app.example.com/cb\"]}}", "TSR3004")]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"redirectUris\":[\"https://*.example.com/cb\"]}}", "TSR3002")]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"redirectUris\":[\"https://app.example.com/cb#frag\"]}}", "TSR3003")]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"redirectUris\":[\"/relative\"]}}", "TSR3001")]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"redirectUris\":[\"http://127.0.0.1/cb\"]}}", "TSR3004")]
    [InlineData("{\"displayName\":\"x\",\"spa\":{\"redirectUris\":[\"javascript:alert(1)\"]}}", "TSR3005")]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"redirectUris\":[\"myapp://cb\"]}}", "TSR3005")]
    [InlineData("{\"displayName\":\"x\",\"identifierUris\":[\"https://evil.example.net/api\"]}", "TSR3007")]
    [InlineData("{\"displayName\":\"x\",\"identifierUris\":[\"api://*\"]}", "TSR3006")]
    [InlineData("{\"displayName\":\"x\",\"signInAudience\":\"PersonalMicrosoftAccount\"}", "TSR3016")]
    [InlineData("{\"displayName\":\"\"}", "TSR3015")]
    [InlineData("{}", "TSR3015")]
    [InlineData("{\"displayName\":\"x\",\"appId\":\"00000000-0000-0000-0000-000000000001\"}", "TSR3019")]
    [InlineData("{\"displayName\":\"x\",\"passwordCredentials\":[{}]}", "TSR3019")]
    [InlineData("{\"displayName\":\"x\",\"web\":{\"implicitGrantSettings\":{\"enableAccessTokenIssuance\":true}}}", "TSR2001")]
    [InlineData("{\"displayName\":\"x\",\"appRoles\":[{\"value\":\"has space\",\"allowedMemberTypes\":[\"Application\"]}]}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"api\":{\"oauth2PermissionScopes\":[{\"value\":\"Items.Read\",\"type\":\"Everyone\"}]}}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"keyCredentials\":[{\"type\":\"AsymmetricX509Cert\",\"key\":\"not base64!\"}]}", "TSR3013")]
    [InlineData("[1,2]", "TSR3018")]
    [InlineData("{not json", "TSR3018")]
    [InlineData("{\"displayName\":42}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"web\":[1]}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"api\":[]}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"appRoles\":[{\"value\":\"A\",\"allowedMemberTypes\":null}]}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"appRoles\":[null]}", "TSR3018")]
    [InlineData("{\"displayName\":\"x\",\"keyCredentials\":[{\"key\":42,\"keyId\":7}]}", "TSR3013")]
    public async Task Create_BreaksARule_400NamingTheRuleAndNothingWritten(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await server.Directory.QueryAsync(db => db.Applications.CountAsync());
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, "applications", body));
        Assert.Equal(before, await server.Directory.QueryAsync(db => db.Applications.CountAsync()));
    }

    [Fact]
    public async Task Create_NativeClientWithLoopbackAndPrivateScheme_Accepted()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new
        {
            displayName = "native",
            publicClient = new { redirectUris = new[] { "http://127.0.0.1/callback", "com.example.app:/oauth2redirect" } },
        });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(2, created!["publicClient"]!["redirectUris"]!.AsArray().Count);
    }

    [Fact]
    public async Task IdentifierUri_ApiAppIdOrVerifiedDomain_AcceptedAndUnique()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "api" });
        var id = created!["id"]!.GetValue<string>();
        var appId = created["appId"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}",
            new { identifierUris = new[] { $"api://{appId}", $"https://{server.Bootstrap.Domain}/orders" } })).Status);

        var (_, other) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "other api" });
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3017", await admin.JsonAsync(HttpMethod.Patch, $"applications/{other!["id"]}",
            new { identifierUris = new[] { $"https://{server.Bootstrap.Domain}/orders" } }));
    }

    [Fact]
    public async Task Patch_StaleETag_412AndNoChange()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", WebApp("etag"));
        var id = created!["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { displayName = "first" }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { displayName = "second" }, etag));
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{id}");
        Assert.Equal("first", read!["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_ConcurrentWritersWithSameETag_OneWinsNoneLost()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", WebApp("race"));
        var id = created!["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { displayName = $"writer {i}" }, etag)));
        Assert.Equal(1, results.Count(r => r.Status == HttpStatusCode.NoContent));
        Assert.All(results.Where(r => r.Status != HttpStatusCode.NoContent),
            r => Assert.Contains(r.Status, new[] { HttpStatusCode.PreconditionFailed, HttpStatusCode.Conflict }));
    }

    [Fact]
    public async Task RemovePassword_SecretStopsWorking()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "rotating daemon" });
        var id = created!["id"]!.GetValue<string>();
        var appId = created["appId"]!.GetValue<string>();
        var (_, first) = await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/addPassword", new { });
        var (_, second) = await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/addPassword", new { passwordCredential = new { displayName = "next" } });
        await server.Directory.AssignAsync(Guid.Parse(appId), "ServicePrincipal", await AdminClient.AdminApiAppIdAsync(server), AdminPermissions.ApplicationReadAll);

        using var http = server.CreateHttpClient();
        Task<TokenResponse> Token(JsonNode credential) => TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", appId), ("client_secret", credential["secretText"]!.GetValue<string>()), ("scope", AdminPermissions.ApiIdentifier + "/.default"));

        // Two secrets at once: rotation with overlap.
        (await Token(first!)).AssertSuccess();
        (await Token(second!)).AssertSuccess();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/removePassword", new { keyId = first!["keyId"]!.GetValue<string>() })).Status);
        (await Token(first)).AssertError("invalid_client");
        (await Token(second!)).AssertSuccess();
    }

    [Theory]
    [InlineData(800, "TSR3009")]
    [InlineData(-1, "TSR3008")]
    public async Task AddPassword_EndOutsidePolicy_400(int days, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "long secret" });
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, $"applications/{created!["id"]}/addPassword",
            new { passwordCredential = new { endDateTime = DateTimeOffset.UtcNow.AddDays(days).ToString("O") } }));
    }

    [Fact]
    public async Task AddPassword_Default_Expires180DaysOut()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "default secret" });
        var (_, secret) = await admin.JsonAsync(HttpMethod.Post, $"applications/{created!["id"]}/addPassword", new { });
        var end = DateTimeOffset.Parse(secret!["endDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(end - DateTimeOffset.UtcNow, TimeSpan.FromDays(179), TimeSpan.FromDays(181));
    }

    [Fact]
    public async Task KeyCredentials_ValidCertificate_EnablesPrivateKeyJwtAndRejectsWeakOrExpired()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "cert daemon" });
        var id = created!["id"]!.GetValue<string>();

        using var rsa = RSA.Create(2048);
        using var good = new CertificateRequest("CN=daemon", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new
        {
            keyCredentials = new[] { new { type = "AsymmetricX509Cert", usage = "Verify", key = Convert.ToBase64String(good.Export(X509ContentType.Cert)) } },
        })).Status);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{id}");
        Assert.Single(read!["keyCredentials"]!.AsArray());

        using var weak = RSA.Create(1024);
        using var weakCertificate = new CertificateRequest("CN=weak", weak, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3012", await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new
        {
            keyCredentials = new[] { new { type = "AsymmetricX509Cert", key = Convert.ToBase64String(weakCertificate.Export(X509ContentType.Cert)) } },
        }));

        using var expired = new CertificateRequest("CN=old", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3010", await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new
        {
            keyCredentials = new[] { new { type = "AsymmetricX509Cert", key = Convert.ToBase64String(expired.Export(X509ContentType.Cert)) } },
        }));
    }

    [Fact]
    public async Task Owners_NonTextReference_400()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "ref" });
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, $"applications/{created!["id"]}/owners/$ref", "{\"@odata.id\":42}"));
    }

    [Fact]
    public async Task Owners_LastOwner_CannotBeRemoved()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "one owner" });
        var id = created!["id"]!.GetValue<string>();
        var user = await server.Directory.CreateUserAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/owners/$ref",
            new Dictionary<string, string> { ["@odata.id"] = $"{server.Origin}/admin/v1/directoryObjects/{user.Id}" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"applications/{id}/owners/{admin.ClientId}/$ref")).Status);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3014", await admin.JsonAsync(HttpMethod.Delete, $"applications/{id}/owners/{user.Id}/$ref"));
    }

    [Fact]
    public async Task OwnedBy_CallerManagesOwnAppsOnly()
    {
        using var developer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteOwnedBy);
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, mine) = await developer.JsonAsync(HttpMethod.Post, "applications", new { displayName = "mine" });
        var (_, theirs) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "theirs" });

        Assert.Equal(HttpStatusCode.NoContent, (await developer.JsonAsync(HttpMethod.Patch, $"applications/{mine!["id"]}", new { displayName = "mine, renamed" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await developer.JsonAsync(HttpMethod.Patch, $"applications/{theirs!["id"]}", new { displayName = "stolen" })).Status);
        var (_, list) = await developer.JsonAsync(HttpMethod.Get, "applications");
        Assert.Equal(["mine, renamed"], list!["value"]!.AsArray().Select(a => a!["displayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ReadOnlyCaller_CannotWrite()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, "applications", new { displayName = "nope" }));
        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, "applications")).Status);
    }

    [Fact]
    public async Task List_ThousandsOfApps_PagesFiltersSelectsAndCounts()
    {
        var marker = "bulk-" + Guid.NewGuid().ToString("N")[..6];
        await server.Directory.QueryAsync(async db =>
        {
            for (var i = 0; i < 2500; i++)
            {
                db.Applications.Add(new Tessera.Directory.Applications.Application
                {
                    Id = Guid.NewGuid(), TenantId = server.TenantId, AppId = Guid.NewGuid(),
                    DisplayName = $"{marker} {i:D4}", CreatedDateTime = DateTimeOffset.UtcNow,
                });
            }

            return await db.SaveChangesAsync();
        });

        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, counted) = await admin.JsonAsync(HttpMethod.Get, $"applications?$filter=startswith(displayName,'{marker}')&$count=true&$top=1");
        Assert.Equal(2500, counted!["@odata.count"]!.GetValue<int>());

        var seen = new HashSet<string>();
        string? next = $"applications?$filter=startswith(displayName,'{marker}')&$select=displayName&$top=999";
        while (next is not null)
        {
            var (status, page) = await admin.JsonAsync(HttpMethod.Get, next.Replace(server.Origin + "/admin/v1/", string.Empty, StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.OK, status);
            foreach (var item in page!["value"]!.AsArray())
            {
                Assert.Null(item!["appId"]);
                Assert.True(seen.Add(item["displayName"]!.GetValue<string>()));
            }

            next = page["@odata.nextLink"]?.GetValue<string>();
        }

        Assert.Equal(2500, seen.Count);
        var (_, exact) = await admin.JsonAsync(HttpMethod.Get, $"applications?$filter=displayName eq '{marker} 0042'");
        Assert.Single(exact!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("$top=0", "TSR4005")]
    [InlineData("$top=1000", "TSR4005")]
    [InlineData("$top=abc", "TSR4005")]
    [InlineData("$filter=displayName ne 'x'", "TSR4005")]
    [InlineData("$filter=secretHash eq 'x'", "TSR4005")]
    [InlineData("$filter=appId eq 'not-a-guid'", "TSR4005")]
    [InlineData("$filter=displayName eq 'unterminated", "TSR4005")]
    [InlineData("$filter=startswith(appId,'1')", "TSR4005")]
    [InlineData("$skiptoken=forged", "TSR4005")]
    public async Task List_UnsupportedQuery_400WithWhatIsSupported(string query, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Get, "applications?" + query));
    }

    [Fact]
    public async Task Get_UnknownOrOtherTenant_404()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"applications/{Guid.NewGuid()}"));

        var other = await server.Directory.CreateTenantAsync("other-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var foreign = await other.RegisterAsync(new Tessera.Server.Directory.NewApplication("foreign"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"applications/{foreign.Id}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Patch, $"applications/{foreign.Id}", new { displayName = "x" }));
    }

    [Fact]
    public async Task Delete_App_ClientCanNoLongerAuthenticate()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "short-lived" });
        var (_, secret) = await admin.JsonAsync(HttpMethod.Post, $"applications/{created!["id"]}/addPassword", new { });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"applications/{created["id"]}")).Status);

        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", created["appId"]!.GetValue<string>()), ("client_secret", secret!["secretText"]!.GetValue<string>()), ("scope", AdminPermissions.ApiIdentifier + "/.default"));
        Assert.Equal("invalid_client", token.Error);
    }

    [Fact]
    public async Task Audit_EveryChange_RecordedWithoutSecrets()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, created) = await admin.JsonAsync(HttpMethod.Post, "applications", WebApp("audited"));
        var (_, secret) = await admin.JsonAsync(HttpMethod.Post, $"applications/{created!["id"]}/addPassword", new { });
        await admin.JsonAsync(HttpMethod.Patch, $"applications/{created["id"]}", new { displayName = "audited, renamed" });

        var (_, audit) = await admin.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits?$top=999");
        var text = audit!.ToJsonString();
        Assert.DoesNotContain(secret!["secretText"]!.GetValue<string>(), text, StringComparison.Ordinal);
        var mine = audit["value"]!.AsArray().Where(e => e!["targetResources"]![0]!["id"]!.GetValue<string>() == created["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["Add application", "Update application – Certificates and secrets management", "Update application"],
            mine.Select(e => e!["activityDisplayName"]!.GetValue<string>()));
        var rename = mine[2]!["targetResources"]![0]!["modifiedProperties"]![0]!;
        Assert.Equal("displayName", rename["displayName"]!.GetValue<string>());
        Assert.Equal("audited", rename["oldValue"]!.GetValue<string>());
        Assert.Equal("audited, renamed", rename["newValue"]!.GetValue<string>());
        Assert.Equal(server.Bootstrap.ClientId, mine[0]!["initiatedBy"]!["app"]!["appId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ApplicationAdmin_CannotTakeOverAMorePrivilegedApplication()
    {
        using var appAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);
        var bootstrapObjectId = await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == Guid.Parse(server.Bootstrap.ClientId)).Select(a => a.Id).FirstAsync());

        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4011", await appAdmin.JsonAsync(HttpMethod.Post, $"applications/{bootstrapObjectId}/addPassword", new { }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4011", await appAdmin.JsonAsync(HttpMethod.Patch, $"applications/{bootstrapObjectId}",
            new { web = new { redirectUris = new[] { "https://attacker.example/cb" } } }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4011", await appAdmin.JsonAsync(HttpMethod.Delete, $"applications/{bootstrapObjectId}"));
    }

    [Fact]
    public async Task AdminApiRegistration_CannotBeRewrittenEvenByTheTopPermission()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var adminApiAppId = await AdminClient.AdminApiAppIdAsync(server);
        var adminApiObjectId = await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == adminApiAppId).Select(a => a.Id).FirstAsync());
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4010", await admin.JsonAsync(HttpMethod.Patch, $"applications/{adminApiObjectId}",
            new { appRoles = new[] { new { value = "Directory.ReadWrite.All", allowedMemberTypes = new[] { "Application" } } } }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4010", await admin.JsonAsync(HttpMethod.Patch, $"applications/{adminApiObjectId}", new { identifierUris = Array.Empty<string>() }));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4010", await admin.JsonAsync(HttpMethod.Delete, $"applications/{adminApiObjectId}"));
    }

    [Fact]
    public async Task AppCaller_DeletedOrStrippedOfItsRole_LosesAccessAtOnce()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadAll);
        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, "applications")).Status);

        await server.Directory.QueryAsync(db => db.AppRoleAssignments.Where(a => a.PrincipalId == reader.ClientId).ExecuteDeleteAsync());
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Get, "applications"));

        await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == reader.ClientId).ExecuteDeleteAsync());
        GraphAssert.Error(HttpStatusCode.Unauthorized, "TSR4001", await reader.JsonAsync(HttpMethod.Get, "applications"));
    }
}
