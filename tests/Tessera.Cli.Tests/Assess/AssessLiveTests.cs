using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Directory.Tenants;
using Tessera.Server.SignInLogs;

namespace Tessera.Cli.Tests.Assess;

/// <summary>
/// <c>tessera assess</c> on the signed-in tenant, through the admin API of a real server: credentials, dormant apps,
/// APIs asked for but not called, people's own consents to applications without a verified publisher.
/// </summary>
public sealed class AssessLiveTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task Tenant_ApplicationsAssessedWithTheirCredentials()
    {
        var name = "assessed " + Guid.NewGuid().ToString("N")[..8];
        var created = await server.Cli.RunAsync("app", "create", "--name", name, "--web-redirect-uri", $"https://{name.Replace(' ', '-')}.example.com/signin-oidc", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var appId = created.Json["appId"]!.GetValue<string>();
        var secret = await server.Cli.RunAsync("app", "credential", "add", appId);
        Assert.True(secret.ExitCode == 0, secret.ToString());

        var result = await server.Cli.RunAsync("assess", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var app = result.Json["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == appId)!;
        var rules = app["findings"]!.AsArray().Select(f => f!["ruleId"]!.GetValue<string>()).ToList();
        Assert.Contains("TSP008", rules);
        // The tenant's verified domains come from the server: example.com is not one of them.
        Assert.Contains("TSP004", rules);
        Assert.InRange(result.Json["tenantScore"]!.GetValue<int>(), 0, 100);
        Assert.DoesNotContain("TSP024", rules);

        // Months later, still without a sign-in: dormant. The CLI's own client signed in today, so it is not dormant now.
        var later = await server.Cli.RunAsync("assess", "--format", "json", "--as-of", "2027-06-01");
        Assert.True(later.ExitCode == 0, later.ToString());
        var dormant = later.Json["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == appId)!;
        Assert.Contains(dormant["findings"]!.AsArray(), f => f!["ruleId"]!.GetValue<string>() == "TSP024");
    }

    [Fact]
    public async Task Tenant_UsersConsentToUnverifiedPublishers_OwnAppAWarning_AnotherOrganisationsAnError()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (apiId, apiUri) = await CreateApiAsync("Notes " + suffix);
        var client = await server.Cli.RunAsync("app", "create", "--name", "consented " + suffix, "--json");
        Assert.True(client.ExitCode == 0, client.ToString());
        var clientId = client.Json["appId"]!.GetValue<string>();
        var person = await server.CreatePersonAsync();
        var granted = await server.Cli.RunAsync("grant", "add", clientId, apiUri, "Notes.Read", "--user", person);
        Assert.True(granted.ExitCode == 0, granted.ToString());
        var (elsewhereId, otherTenant) = await ConsentToAnotherOrganisationsAppAsync(person, Guid.Parse(apiId), suffix);

        var result = await server.Cli.RunAsync("assess", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var own = Single(result.Json, clientId, "TSP026");
        Assert.Equal("warning", own["severity"]!.GetValue<string>());
        Assert.Equal($"1 user(s) consented to Notes {suffix} (Notes.Read); no verifiedPublisher", own["evidence"]!.GetValue<string>());
        var elsewhere = Single(result.Json, elsewhereId.ToString("D"), "TSP026");
        Assert.Equal("error", elsewhere["severity"]!.GetValue<string>());
        Assert.Contains($"registered by organisation {otherTenant:D}", elsewhere["evidence"]!.GetValue<string>(), StringComparison.Ordinal);

        // A disabled service principal cannot use the grants: a note.
        var disabled = await server.Cli.RunAsync("sp", "update", clientId, "--enabled", "false");
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        var whileDisabled = await server.Cli.RunAsync("assess", "--format", "json");
        Assert.Equal("note", Single(whileDisabled.Json, clientId, "TSP026")["severity"]!.GetValue<string>());

        // Once the publisher is verified, the same consent is no finding.
        var verified = await server.Cli.RunAsync("app", "publisher", "verify", clientId, "--name", "Contoso", "--id", "1234567");
        Assert.True(verified.ExitCode == 0, verified.ToString());
        var after = await server.Cli.RunAsync("assess", "--format", "json");
        Assert.DoesNotContain(FindingsOf(after.Json, clientId), f => f!["ruleId"]!.GetValue<string>() == "TSP026");
    }

    [Fact]
    public async Task Tenant_ApiAskedForButNotCalled_UnusedPermissionNamingThatApi()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (usedId, usedUri) = await CreateApiAsync("Ledger " + suffix);
        var (idleId, _) = await CreateApiAsync("Archive " + suffix);
        var daemon = await PostApplicationAsync(new JsonObject
        {
            ["displayName"] = "Nightly " + suffix,
            ["requiredResourceAccess"] = new JsonArray(
                new JsonObject { ["resourceAppId"] = usedId, ["resourceAccess"] = new JsonArray(new JsonObject { ["id"] = NotesReadAll, ["type"] = "Role" }) },
                new JsonObject { ["resourceAppId"] = idleId, ["resourceAccess"] = new JsonArray(new JsonObject { ["id"] = NotesReadAll, ["type"] = "Role" }) }),
        });
        var daemonId = daemon["appId"]!.GetValue<string>();
        var assigned = await server.Cli.RunAsync("sp", "grant", daemonId, "--api", usedUri, "--role", "Notes.Read.All");
        Assert.True(assigned.ExitCode == 0, assigned.ToString());
        var secret = await server.Cli.RunAsync("app", "credential", "add", daemonId, "--json");
        Assert.True(secret.ExitCode == 0, secret.ToString());
        using (var http = new HttpClient())
        {
            using var token = await http.PostAsync($"{server.Origin}/{server.TenantId:D}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = daemonId, ["client_secret"] = secret.Json["secretText"]!.GetValue<string>(), ["scope"] = usedUri + "/.default",
            }));
            Assert.True(token.IsSuccessStatusCode, await token.Content.ReadAsStringAsync());
        }

        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        // Registered long ago: a registration younger than the window is not judged on usage.
        await server.WithDatabaseAsync(async (db, _) =>
        {
            var registration = await db.Applications.SingleAsync(a => a.AppId == Guid.Parse(daemonId));
            registration.CreatedDateTime = DateTimeOffset.UtcNow.AddDays(-365);
            return await db.SaveChangesAsync();
        });
        var result = await server.Cli.RunAsync("assess", "--format", "json", "--unused-days", "30");

        Assert.True(result.ExitCode == 0, result.ToString());
        var unused = Single(result.Json, daemonId, "TSP025");
        Assert.Equal($"Archive {suffix}: no token in the log (over 30 days)", unused["evidence"]!.GetValue<string>());
        Assert.DoesNotContain(FindingsOf(result.Json, daemonId), f => f!["ruleId"]!.GetValue<string>() == "TSP024");
    }

    private static JsonArray FindingsOf(JsonNode report, string appId)
        => report["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == appId)!["findings"]!.AsArray();

    private static JsonNode Single(JsonNode report, string appId, string ruleId)
        => FindingsOf(report, appId).Single(f => f!["ruleId"]!.GetValue<string>() == ruleId)!;

    /// <summary>An API with a delegated permission (Notes.Read) and an app role for applications (<see cref="NotesReadAll"/>).</summary>
    private async Task<(string AppId, string Uri)> CreateApiAsync(string displayName)
    {
        var uri = $"https://{server.Bootstrap.Domain}/{displayName.Replace(' ', '-').ToLowerInvariant()}";
        var created = await PostApplicationAsync(new JsonObject
        {
            ["displayName"] = displayName,
            ["identifierUris"] = new JsonArray(uri),
            ["api"] = new JsonObject
            {
                ["requestedAccessTokenVersion"] = 2,
                ["oauth2PermissionScopes"] = new JsonArray(new JsonObject { ["value"] = "Notes.Read", ["type"] = "User" }),
            },
            ["appRoles"] = new JsonArray(new JsonObject
            {
                ["id"] = NotesReadAll, ["value"] = "Notes.Read.All", ["displayName"] = "Read all notes", ["description"] = "Read all notes",
                ["allowedMemberTypes"] = new JsonArray("Application"), ["isEnabled"] = true,
            }),
        });
        return (created["appId"]!.GetValue<string>(), uri);
    }

    private static readonly string NotesReadAll = Guid.NewGuid().ToString("D");

    private async Task<JsonNode> PostApplicationAsync(JsonObject body)
    {
        using var http = await server.AdminHttpClientAsync();
        using var response = await http.PostAsJsonAsync("applications", body);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, created.ToJsonString());
        return created;
    }

    /// <summary>
    /// What a person's consent to another organisation's multitenant application leaves in this tenant: the
    /// application's service principal here and the person's grant (written directly: the consent page is tested elsewhere).
    /// </summary>
    private Task<(Guid AppId, Guid Tenant)> ConsentToAnotherOrganisationsAppAsync(string person, Guid apiId, string suffix)
        => server.WithDatabaseAsync(async (db, _) =>
        {
            var now = DateTimeOffset.UtcNow;
            var tenant = new Tenant
            {
                Id = Guid.NewGuid(), DisplayName = "Fabrikam " + suffix, CreatedDateTime = now,
                Domains = [new TenantDomain { Name = $"fabrikam{suffix}.example", IsDefault = true, IsVerified = true }],
            };
            var app = new Application
            {
                Id = Guid.NewGuid(), TenantId = tenant.Id, AppId = Guid.NewGuid(), DisplayName = "Fabrikam Notes " + suffix,
                SignInAudience = SignInAudiences.MultiTenant, WebRedirectUris = [$"https://notes.fabrikam{suffix}.example/signin-oidc"], CreatedDateTime = now,
            };
            db.Tenants.Add(tenant);
            db.Applications.Add(app);
            db.TenantServicePrincipals.Add(new TenantServicePrincipal { TenantId = server.TenantId, AppId = app.AppId, CreatedDateTime = now });
            db.OAuth2PermissionGrants.Add(new OAuth2PermissionGrant
            {
                Id = Guid.NewGuid(), TenantId = server.TenantId, ClientId = app.AppId, ConsentType = ConsentTypes.Principal,
                PrincipalId = db.Users.Single(u => u.UserName == person).Id, ResourceId = apiId, Scope = "Notes.Read", CreatedDateTime = now,
            });
            await db.SaveChangesAsync();
            return (app.AppId, tenant.Id);
        });
}
