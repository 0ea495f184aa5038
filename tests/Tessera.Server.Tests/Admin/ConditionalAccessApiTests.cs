using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Policy.Admin;
using Tessera.Policy.ConditionalAccess;
using Tessera.Server.ConditionalAccess;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>
/// <c>/identity/conditionalAccess/...</c>: policies, named locations, authentication contexts and "what if", in
/// Graph's shapes, on a real server; every refusal writes nothing.
/// </summary>
public sealed class ConditionalAccessApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Policies = "identity/conditionalAccess/policies";
    private const string Locations = "identity/conditionalAccess/namedLocations";
    private const string Contexts = "identity/conditionalAccess/authenticationContextClassReferences";
    private const string Evaluate = "identity/conditionalAccess/evaluate";

    private static JsonObject Policy(string state = "enabledForReportingButNotEnforced", string displayName = "Require MFA",
        string? users = null, string? apps = null, string? grant = null, string? extra = null)
        => JsonNode.Parse($$"""
            {
              "displayName": "{{displayName}}", "state": "{{state}}",
              "conditions": {
                "users": {{users ?? """{ "includeUsers": ["All"] }"""}},
                "applications": {{apps ?? """{ "includeApplications": ["All"] }"""}}
                {{(extra is null ? string.Empty : ", " + extra)}}
              },
              "grantControls": {{grant ?? """{ "operator": "OR", "builtInControls": ["mfa"] }"""}}
            }
            """)!.AsObject();

    private Task<int> PolicyCountAsync() => server.Directory.QueryAsync(db => db.ConditionalAccessPolicies.CountAsync());

    private static async Task<JsonNode> CreatedAsync(AdminClient admin, string path, object body)
    {
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, path, body is JsonNode node ? node.ToJsonString() : body);
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!;
    }

    private async Task<JsonNode> LocationAsync(AdminClient admin, string name = "Office", bool trusted = true, string cidr = "10.1.0.0/16")
        => await CreatedAsync(admin, Locations, JsonNode.Parse($$"""
            {"@odata.type":"#microsoft.graph.ipNamedLocation","displayName":"{{name}}","isTrusted":{{(trusted ? "true" : "false")}},
             "ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"{{cidr}}"},{"@odata.type":"#microsoft.graph.iPv6CidrRange","cidrAddress":"2001:db8::/32"}]}
            """)!);

    private async Task<Guid> GroupWithAsync(params Guid[] members)
    {
        var id = Guid.NewGuid();
        await server.Directory.QueryAsync(async db =>
        {
            db.Groups.Add(new Tessera.Directory.Groups.Group
            {
                Id = id, TenantId = server.TenantId, DisplayName = "g " + id.ToString("N")[..6], CreatedDateTime = DateTimeOffset.UtcNow,
                Members = [.. members.Select(m => new Tessera.Directory.Groups.GroupMember { GroupId = id, MemberId = m })],
            });
            return await db.SaveChangesAsync();
        });
        return id;
    }

    [Fact]
    public async Task Create_FullPolicy_201GraphShapeReadBackListedAndAudited()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var office = await LocationAsync(admin);
        var body = Policy(displayName: "MFA off the office network", extra: $$"""
            "clientAppTypes": ["browser"], "locations": { "includeLocations": ["All"], "excludeLocations": ["{{office["id"]}}"] },
            "signInRiskLevels": ["medium", "high"]
            """);
        body["sessionControls"] = JsonNode.Parse("""{"signInFrequency":{"isEnabled":true,"value":8,"type":"hours","frequencyInterval":"timeBased"}}""");
        var created = await CreatedAsync(admin, Policies, body);

        var id = created["id"]!.GetValue<string>();
        Assert.Equal("enabledForReportingButNotEnforced", created["state"]!.GetValue<string>());
        Assert.Equal(office["id"]!.GetValue<string>(), created["conditions"]!["locations"]!["excludeLocations"]![0]!.GetValue<string>());
        Assert.Equal(8, created["sessionControls"]!["signInFrequency"]!["value"]!.GetValue<int>());
        Assert.NotNull(created["createdDateTime"]);

        var (status, read) = await admin.JsonAsync(HttpMethod.Get, $"{Policies}/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(created.ToJsonString(), read!.ToJsonString());

        // What GET shows is a body POST takes back: the round trip.
        var again = await CreatedAsync(admin, Policies, read.ToJsonString().Replace($"\"id\":\"{id}\",", string.Empty, StringComparison.Ordinal));
        Assert.Equal(created["conditions"]!.ToJsonString(), again["conditions"]!.ToJsonString());

        var (_, listed) = await admin.JsonAsync(HttpMethod.Get, $"{Policies}?$filter=displayName eq 'MFA off the office network'&$top=1");
        Assert.Single(listed!["value"]!.AsArray());
        Assert.NotNull(listed["@odata.nextLink"]);

        var audit = await AdminAudit.ForTargetAsync(server, id);
        Assert.Equal("Add conditional access policy", Assert.Single(audit)["activityDisplayName"]!.GetValue<string>());
        Assert.Equal("Policy", audit[0]["category"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{", "TSR3018")]
    [InlineData("[]", "TSR3018")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]},"colour":"red"}""", "TSR4101")]
    [InlineData("""{"displayName":"p","state":"on","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4103")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeAuthenticationContextClassReferences":["c100"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4109")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["block","mfa"]}}""", "TSR4116")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["None"]},"applications":{"includeApplications":["All"]},"clientApplications":{"includeServicePrincipals":["ServicePrincipalsInMyTenant"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4122")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]},"devices":{"deviceFilter":{"mode":"include","rule":"x"}}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4119")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["compliantDevice"]}}""", "TSR4115")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeGroups":["00000000-0000-0000-0000-00000000dead"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4126")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["00000000-0000-0000-0000-00000000dead"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4126")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeRoles":["00000000-0000-0000-0000-00000000dead"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4126")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["00000000-0000-0000-0000-00000000dead"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4126")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]},"locations":{"includeLocations":["00000000-0000-0000-0000-00000000dead"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4126")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeAuthenticationContextClassReferences":["c98"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4126")]
    [InlineData("""{"id":"00000000-0000-0000-0000-00000000dead","displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4139")]
    public async Task Create_BadBody_400WithTheCodeAndNothingWritten(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await PolicyCountAsync();
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, Policies, body));
        Assert.Equal(before, await PolicyCountAsync());
    }

    [Fact]
    public async Task Patch_MergesChecksIfMatchAndDeletes()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var created = await CreatedAsync(admin, Policies, Policy(displayName: "To rename"));
        var id = created["id"]!.GetValue<string>();
        var etag = created["@odata.etag"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"{Policies}/{id}", new { displayName = "Renamed" }, ifMatch: etag)).Status);
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"{Policies}/{id}");
        Assert.Equal("Renamed", read!["displayName"]!.GetValue<string>());
        Assert.Equal("mfa", read["grantControls"]!["builtInControls"]![0]!.GetValue<string>());
        Assert.NotNull(read["modifiedDateTime"]);

        // The old version is gone: 412, and nothing changes.
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Patch, $"{Policies}/{id}", new { displayName = "Lost" }, ifMatch: etag));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4116",
            await admin.JsonAsync(HttpMethod.Patch, $"{Policies}/{id}", """{"grantControls":{"builtInControls":["block","mfa"]}}"""));
        Assert.Equal("Renamed", (await admin.JsonAsync(HttpMethod.Get, $"{Policies}/{id}")).Json!["displayName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{id}")).Status);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"{Policies}/{id}"));
        var audit = await AdminAudit.ForTargetAsync(server, id);
        Assert.Equal(["Add conditional access policy", "Update conditional access policy", "Delete conditional access policy"],
            audit.Select(e => e["activityDisplayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Permissions_ReaderReadsButCannotWrite_OthersSeeNothing()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadConditionalAccess);
        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, Policies)).Status);
        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, Locations)).Status);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, Policies, Policy().ToJsonString()));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Patch, $"{Contexts}/c1", new { displayName = "x" }));

        using var policyReader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadAll);
        Assert.Equal(HttpStatusCode.OK, (await policyReader.JsonAsync(HttpMethod.Get, Contexts)).Status);

        using var other = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await other.JsonAsync(HttpMethod.Get, Policies));
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await other.JsonAsync(HttpMethod.Post, Evaluate, new { userId = Guid.NewGuid() }));
    }

    [Fact]
    public async Task Create_EnabledPolicyCatchingEveryGlobalAdministrator_201WithBreakGlassWarning()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var globalAdmin = await server.Directory.CreateUserAsync();
        await server.Directory.AssignAdminRoleAsync(globalAdmin.Id, AdminRoles.GlobalAdministrator.TemplateId);

        var caught = await CreatedAsync(admin, Policies, Policy(state: "enabled", displayName: "MFA for everyone"));
        Assert.Contains("break-glass", Assert.Single(caught["warnings"]!.AsArray())!.GetValue<string>(), StringComparison.Ordinal);

        var breakGlass = await GroupWithAsync(globalAdmin.Id);
        var excluded = await CreatedAsync(admin, Policies, Policy(state: "enabled", displayName: "MFA but break-glass",
            users: $$"""{ "includeUsers": ["All"], "excludeGroups": ["{{breakGlass}}"] }"""));
        Assert.Null(excluded["warnings"]);

        var reportOnly = await CreatedAsync(admin, Policies, Policy(displayName: "MFA report-only"));
        Assert.Null(reportOnly["warnings"]);

        foreach (var id in new[] { caught, excluded, reportOnly }.Select(p => p["id"]!.GetValue<string>()))
        {
            await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{id}");
        }
    }

    [Fact]
    public async Task Create_EnabledPolicyBlockingTheCallingApplication_409UnlessConfirmed()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var body = Policy(state: "enabled", displayName: "Block workloads", users: """{ "includeUsers": ["None"] }""", grant: """{ "builtInControls": ["block"] }""",
            extra: """ "clientApplications": { "includeServicePrincipals": ["ServicePrincipalsInMyTenant"] } """);
        var before = await PolicyCountAsync();
        var refused = await admin.JsonAsync(HttpMethod.Post, Policies, body.ToJsonString());
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR4134", refused);
        Assert.Contains("confirmSelfLockout=true", refused.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await PolicyCountAsync());

        // Excluding itself is the other way out; so is confirming.
        var self = Policy(state: "enabled", displayName: "Block other workloads", users: """{ "includeUsers": ["None"] }""", grant: """{ "builtInControls": ["block"] }""",
            extra: $$""" "clientApplications": { "includeServicePrincipals": ["ServicePrincipalsInMyTenant"], "excludeServicePrincipals": ["{{admin.ClientId}}"] } """);
        var excluded = await CreatedAsync(admin, Policies, self);
        var confirmed = await CreatedAsync(admin, Policies + "?confirmSelfLockout=true", body);
        Assert.Contains(confirmed["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("your own sign-in", StringComparison.Ordinal));

        // Turning the confirmed policy off needs no confirmation; turning it back on does.
        var id = confirmed["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"{Policies}/{id}", new { state = "disabled" })).Status);
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR4134", await admin.JsonAsync(HttpMethod.Patch, $"{Policies}/{id}", new { state = "enabled" }));
        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{id}");
        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{excluded["id"]}");
    }

    [Fact]
    public async Task Create_EnabledMfaPolicyAsPersonWithPasswordOnly_409_ReportOnly201()
    {
        var person = await server.Directory.CreateUserAsync();
        await server.Directory.AssignAdminRoleAsync(person.Id, AdminRoles.ConditionalAccessAdministrator.TemplateId);
        using var client = await PersonAdminClient.SignInAsync(server, person.UserName!, AdminPermissions.PolicyReadWriteConditionalAccess);

        var refused = await client.JsonAsync(HttpMethod.Post, Policies, Policy(state: "enabled", displayName: "MFA for me too").ToJsonString());
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR4134", refused);
        Assert.Contains("Multifactor authentication is required", refused.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (status, reportOnly) = await client.JsonAsync(HttpMethod.Post, Policies, Policy(displayName: "MFA for me, report-only").ToJsonString());
        Assert.Equal(HttpStatusCode.Created, status);
        using var admin = await AdminClient.BootstrapAsync(server);
        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{reportOnly!["id"]}");
    }

    [Fact]
    public async Task NamedLocations_CrudInvalidRangesAndInUse409()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var office = await LocationAsync(admin, "Head office");
        var id = office["id"]!.GetValue<string>();
        Assert.Equal("#microsoft.graph.ipNamedLocation", office["@odata.type"]!.GetValue<string>());
        Assert.Equal("2001:db8::/32", office["ipRanges"]![1]!["cidrAddress"]!.GetValue<string>());

        var before = await server.Directory.QueryAsync(db => db.IpNamedLocations.CountAsync());
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4128", await admin.JsonAsync(HttpMethod.Post, Locations,
            """{"@odata.type":"#microsoft.graph.ipNamedLocation","displayName":"x","ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"10.0.0.300/8"}]}"""));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4127", await admin.JsonAsync(HttpMethod.Post, Locations,
            """{"@odata.type":"#microsoft.graph.countryNamedLocation","displayName":"x","countriesAndRegions":["FR"]}"""));
        Assert.Equal(before, await server.Directory.QueryAsync(db => db.IpNamedLocations.CountAsync()));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"{Locations}/{id}", new { isTrusted = false }, ifMatch: office["@odata.etag"]!.GetValue<string>())).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Patch, $"{Locations}/{id}", new { displayName = "x" }, ifMatch: office["@odata.etag"]!.GetValue<string>()));
        Assert.False((await admin.JsonAsync(HttpMethod.Get, $"{Locations}/{id}")).Json!["isTrusted"]!.GetValue<bool>());

        var policy = await CreatedAsync(admin, Policies, Policy(displayName: "Only from the office", extra: $$""" "locations": { "includeLocations": ["{{id}}"] } """));
        var inUse = await admin.JsonAsync(HttpMethod.Delete, $"{Locations}/{id}");
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR4132", inUse);
        Assert.Contains("Only from the office", inUse.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{policy["id"]}");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Locations}/{id}")).Status);
    }

    [Fact]
    public async Task AuthenticationContexts_UpsertByIdC100RefusedAndInUse409()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var (status, created) = await admin.JsonAsync(HttpMethod.Patch, $"{Contexts}/c7", new { displayName = "Approve payments", description = "Money moves", isAvailable = true });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("c7", created!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"{Contexts}/c7", new { description = "Money leaves" })).Status);
        Assert.Equal("Money leaves", (await admin.JsonAsync(HttpMethod.Get, $"{Contexts}/c7")).Json!["description"]!.GetValue<string>());

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4109", await admin.JsonAsync(HttpMethod.Patch, $"{Contexts}/c100", new { displayName = "x" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4135", await admin.JsonAsync(HttpMethod.Put, $"{Contexts}/c8", new { isAvailable = true }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4141", await admin.JsonAsync(HttpMethod.Patch, $"{Contexts}/c7", new { colour = "red" }));
        Assert.False(await server.Directory.QueryAsync(db => db.AuthenticationContexts.AnyAsync(c => c.Id == "c100" || c.Id == "c8")));

        var policy = await CreatedAsync(admin, Policies, Policy(displayName: "Payments need phishing-resistant MFA",
            apps: """{ "includeAuthenticationContextClassReferences": ["c7"] }""",
            grant: """{ "authenticationStrength": { "id": "00000000-0000-0000-0000-000000000004" } }"""));
        var inUse = await admin.JsonAsync(HttpMethod.Delete, $"{Contexts}/c7");
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR4133", inUse);
        Assert.Contains("Payments need phishing-resistant MFA", inUse.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (_, listed) = await admin.JsonAsync(HttpMethod.Get, $"{Contexts}?$filter=isAvailable eq true");
        Assert.Contains(listed!["value"]!.AsArray(), c => c!["id"]!.GetValue<string>() == "c7");

        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{policy["id"]}");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"{Contexts}/c7")).Status);
    }

    [Fact]
    public async Task WhatIf_UserInAGroupWithPasswordOnly_ControlsRequiredWithEveryPolicyExplained()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var alice = await server.Directory.CreateUserAsync();
        var finance = await GroupWithAsync(alice.Id);
        var office = await LocationAsync(admin, "Finance floor", cidr: "10.9.0.0/16");
        var mfa = await CreatedAsync(admin, Policies, Policy(state: "enabled", displayName: "Finance needs MFA",
            users: $$"""{ "includeGroups": ["{{finance}}"] }"""));
        var block = await CreatedAsync(admin, Policies, Policy(state: "enabledForReportingButNotEnforced", displayName: "Finance only from the floor",
            users: $$"""{ "includeGroups": ["{{finance}}"] }""", grant: """{ "builtInControls": ["block"] }""",
            extra: $$""" "locations": { "includeLocations": ["All"], "excludeLocations": ["{{office["id"]}}"] } """));

        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadConditionalAccess);
        var (status, decision) = await reader.JsonAsync(HttpMethod.Post, Evaluate,
            new { userId = alice.UserName, ipAddress = "192.0.2.10", authenticationMethods = new[] { "pwd" } });
        Assert.True(status == HttpStatusCode.OK, decision?.ToJsonString());
        Assert.Equal("controlsRequired", decision!["outcome"]!.GetValue<string>());
        Assert.Equal("Multifactor authentication", decision["requiredAuthenticationStrength"]!["displayName"]!.GetValue<string>());
        Assert.Contains(finance.ToString(), decision["signIn"]!["groupIds"]!.AsArray().Select(g => g!.GetValue<string>()));

        var results = decision["policies"]!.AsArray().ToDictionary(p => p!["displayName"]!.GetValue<string>(), p => p!);
        Assert.Equal("failure", results["Finance needs MFA"]["result"]!.GetValue<string>());
        Assert.Contains(results["Finance needs MFA"]["explanation"]!.AsArray(), e => e!.GetValue<string>().Contains(finance.ToString(), StringComparison.Ordinal));
        Assert.Equal("reportOnlyFailure", results["Finance only from the floor"]["result"]!.GetValue<string>());

        var (_, fromTheFloor) = await reader.JsonAsync(HttpMethod.Post, Evaluate,
            new { userId = alice.Id, ipAddress = "10.9.1.1", authenticationMethods = new[] { "pwd", "mfa" } });
        Assert.Equal("granted", fromTheFloor!["outcome"]!.GetValue<string>());
        var floor = fromTheFloor["policies"]!.AsArray().Single(p => p!["displayName"]!.GetValue<string>() == "Finance only from the floor")!;
        Assert.Equal("reportOnlyNotApplied", floor["result"]!.GetValue<string>());
        Assert.Contains(floor["explanation"]!.AsArray(), e => e!.GetValue<string>().Contains("Finance floor", StringComparison.Ordinal));

        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await reader.JsonAsync(HttpMethod.Post, Evaluate, new { userId = Guid.NewGuid() }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4137", await reader.JsonAsync(HttpMethod.Post, Evaluate, new { userId = alice.Id, ipAddress = "10.9.1" }));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4136", await reader.JsonAsync(HttpMethod.Post, Evaluate, "{}"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4101", await reader.JsonAsync(HttpMethod.Post, Evaluate, new { userId = alice.Id, device = "x" }));

        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{mfa["id"]}");
        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{block["id"]}");
    }

    [Fact]
    public async Task WhatIf_WorkloadIdentity_BlockedByAWorkloadPolicyListedByState()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var daemon = await server.Directory.RegisterAsync(new Tessera.Server.Directory.NewApplication("what-if daemon"));
        var created = await CreatedAsync(admin, Policies, Policy(state: "enabled", displayName: "Block workloads but the bootstrap",
            users: """{ "includeUsers": ["None"] }""", grant: """{ "builtInControls": ["block"] }""",
            extra: $$""" "clientApplications": { "includeServicePrincipals": ["ServicePrincipalsInMyTenant"], "excludeServicePrincipals": ["{{admin.ClientId}}"] } """));

        var (_, enabled) = await admin.JsonAsync(HttpMethod.Get, $"{Policies}?$filter=state eq 'enabled'");
        Assert.All(enabled!["value"]!.AsArray(), p => Assert.Equal("enabled", p!["state"]!.GetValue<string>()));
        Assert.Contains(enabled["value"]!.AsArray(), p => p!["id"]!.GetValue<string>() == created["id"]!.GetValue<string>());

        var (status, decision) = await admin.JsonAsync(HttpMethod.Post, Evaluate, new { servicePrincipalId = daemon.AppId });
        Assert.True(status == HttpStatusCode.OK, decision?.ToJsonString());
        Assert.Equal("blocked", decision!["outcome"]!.GetValue<string>());
        var (_, bootstrap) = await admin.JsonAsync(HttpMethod.Post, Evaluate, new { servicePrincipalId = admin.ClientId });
        Assert.Equal("granted", bootstrap!["outcome"]!.GetValue<string>());
        Assert.Contains(bootstrap["policies"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == created["id"]!.GetValue<string>())!["explanation"]!.AsArray(),
            e => e!.GetValue<string>().Contains("excluded", StringComparison.Ordinal));

        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{created["id"]}");
    }

    [Fact]
    public async Task TenantPolicies_SeesEveryWriteAtOnce()
    {
        var seam = server.App.Web.Services.GetRequiredService<TenantPolicies>();
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await seam.ForTenantAsync(server.TenantId, CancellationToken.None);

        var created = await CreatedAsync(admin, Policies, Policy(displayName: "Seam"));
        var id = Guid.Parse(created["id"]!.GetValue<string>());
        var after = await seam.ForTenantAsync(server.TenantId, CancellationToken.None);
        Assert.NotEqual(before.Version, after.Version);
        Assert.Equal(PolicyState.ReportOnly, Assert.Single(after.Policies, p => p.Id == id).State);
        Assert.Same(after, await seam.ForTenantAsync(server.TenantId, CancellationToken.None));

        await admin.JsonAsync(HttpMethod.Patch, $"{Contexts}/c3", new { displayName = "Seam context", isAvailable = true });
        Assert.Contains("c3", (await seam.ForTenantAsync(server.TenantId, CancellationToken.None)).AvailableAuthenticationContexts);

        await admin.JsonAsync(HttpMethod.Delete, $"{Policies}/{id}");
        Assert.DoesNotContain((await seam.ForTenantAsync(server.TenantId, CancellationToken.None)).Policies, p => p.Id == id);
    }
}
