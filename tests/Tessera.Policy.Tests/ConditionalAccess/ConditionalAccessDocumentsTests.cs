using System.Net;
using System.Text.Json.Nodes;
using Tessera.Policy.ConditionalAccess;

namespace Tessera.Policy.Tests.ConditionalAccess;

public sealed class ConditionalAccessDocumentsTests
{
    private static readonly Guid Id = new("c0000000-0000-0000-0000-000000000001");

    private const string Full = """
        {
          "displayName": "MFA for admins off the office network",
          "state": "enabledForReportingButNotEnforced",
          "conditions": {
            "users": {
              "includeUsers": ["All"], "excludeUsers": ["a11ce000-0000-0000-0000-000000000001"],
              "includeGroups": ["9a000000-0000-0000-0000-000000000001"], "excludeGroups": ["9a000000-0000-0000-0000-000000000002"],
              "includeRoles": ["62e90394-69f5-4237-9190-012177145e10"], "excludeRoles": []
            },
            "applications": { "includeApplications": ["All"], "excludeApplications": ["0de50000-0000-0000-0000-000000000001"], "includeAuthenticationContextClassReferences": [] },
            "clientApplications": null,
            "clientAppTypes": ["browser", "mobileAppsAndDesktopClients"],
            "locations": { "includeLocations": ["All"], "excludeLocations": ["AllTrusted", "10c00000-0000-0000-0000-000000000001"] },
            "signInRiskLevels": ["high", "medium"],
            "userRiskLevels": ["low"],
            "platforms": null,
            "devices": null
          },
          "grantControls": { "operator": "AND", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": [],
                             "authenticationStrength": { "id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA" } },
          "sessionControls": { "signInFrequency": { "isEnabled": true, "value": 4, "type": "hours", "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication" },
                               "persistentBrowser": null }
        }
        """;

    private static (ConditionalAccessPolicy? Policy, string? Code) Read(string json)
    {
        var (policy, error) = ConditionalAccessDocuments.Read(JsonNode.Parse(json)!.AsObject(), Id);
        return (policy, error?.Code);
    }

    /// <summary>A minimal valid body with one part replaced.</summary>
    private static string With(string? users = null, string? apps = null, string? grant = null, string? session = null, string? extraConditions = null, string state = "enabled", string? clients = null)
        => $$"""
           {
             "displayName": "p", "state": "{{state}}",
             "conditions": {
               "users": {{users ?? """{ "includeUsers": ["All"] }"""}},
               "applications": {{apps ?? """{ "includeApplications": ["All"] }"""}}
               {{(clients is null ? string.Empty : ", \"clientApplications\": " + clients)}}
               {{(extraConditions is null ? string.Empty : ", " + extraConditions)}}
             },
             "grantControls": {{grant ?? """{ "operator": "OR", "builtInControls": ["mfa"] }"""}},
             "sessionControls": {{session ?? "null"}}
           }
           """;

    [Fact]
    public void Read_FullGraphPolicy_EveryPartMapped()
    {
        var (policy, code) = Read(Full);
        Assert.Null(code);
        Assert.Equal(PolicyState.ReportOnly, policy!.State);
        Assert.Equal([PolicyUsers.All], policy.Users.IncludeUsers);
        Assert.Equal([new Guid("62e90394-69f5-4237-9190-012177145e10")], policy.Users.IncludeRoles);
        Assert.Equal(["AllTrusted", "10c00000-0000-0000-0000-000000000001"], policy.Locations!.ExcludeLocations);
        Assert.Equal(new HashSet<ClientAppType> { ClientAppType.Browser, ClientAppType.MobileAppsAndDesktopClients }, policy.ClientAppTypes);
        Assert.Equal(new HashSet<RiskLevel> { RiskLevel.High, RiskLevel.Medium }, policy.SignInRiskLevels);
        Assert.True(policy.Grant!.Mfa && policy.Grant.RequireAll);
        Assert.Equal(AuthenticationStrength.PhishingResistantMfa, policy.Grant.Strength);
        Assert.Equal(TimeSpan.FromHours(4), policy.SignInFrequency!.Every);
    }

    [Theory]
    [InlineData(Full)]
    [InlineData("""{"displayName":"Block workloads","state":"enabled","conditions":{"users":{"includeUsers":["None"]},"applications":{"includeApplications":["All"]},"clientApplications":{"includeServicePrincipals":["ServicePrincipalsInMyTenant"],"excludeServicePrincipals":["dae00000-0000-0000-0000-000000000001"]}},"grantControls":{"operator":"OR","builtInControls":["block"]}}""")]
    [InlineData("""{"displayName":"Step-up","state":"disabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeAuthenticationContextClassReferences":["c1","c99"]}},"grantControls":null,"sessionControls":{"signInFrequency":{"isEnabled":true,"frequencyInterval":"everyTime"}}}""")]
    [InlineData("""{"displayName":"Days","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"sessionControls":{"signInFrequency":{"isEnabled":true,"value":7,"type":"days"}}}""")]
    public void Write_ReadPolicy_ReadsBackToTheSameRecordAndJson(string json)
    {
        var (policy, code) = Read(json);
        Assert.Null(code);
        var written = ConditionalAccessDocuments.Write(policy!);
        var (again, againCode) = ConditionalAccessDocuments.Read(written, Id);
        Assert.Null(againCode);
        Assert.Equal(written.ToJsonString(), ConditionalAccessDocuments.Write(again!).ToJsonString());
        Assert.Equal(policy!.DisplayName, again!.DisplayName);
        Assert.Equal(policy.State, again.State);
        Assert.Equal(policy.Grant, again.Grant);
        Assert.Equal(policy.SignInFrequency, again.SignInFrequency);
        Assert.Equal(policy.Users.IncludeGroups, again.Users.IncludeGroups);
        Assert.Equal(policy.Applications.IncludeAuthenticationContextClassReferences, again.Applications.IncludeAuthenticationContextClassReferences);
    }

    [Fact]
    public void Write_AllClientAppTypes_WrittenAsAll()
    {
        var (policy, _) = Read(With(extraConditions: "\"clientAppTypes\": [\"all\"]"));
        Assert.Empty(policy!.ClientAppTypes);
        Assert.Equal("[\"all\"]", ConditionalAccessDocuments.Write(policy)["conditions"]!["clientAppTypes"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"conditions":{}}""", "TSR4102")]
    [InlineData("""{"displayName":"p","state":"on","conditions":{}}""", "TSR4103")]
    [InlineData("""{"displayName":"p","conditions":{"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4104")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]}},"grantControls":{"builtInControls":["mfa"]}}""", "TSR4104")]
    [InlineData("""{"displayName":"p","colour":"red","conditions":{}}""", "TSR4101")]
    [InlineData("""{"displayName":"p","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}}}""", "TSR4125")]
    public void Read_MissingOrUnknownTopLevel_Refused(string json, string code)
        => Assert.Equal(code, Read(json).Code);

    [Theory]
    [InlineData("""{ "includeUsers": [] }""", "TSR4105")]
    [InlineData("""{ "includeUsers": ["GuestsOrExternalUsers"] }""", "TSR4106")]
    [InlineData("""{ "includeUsers": ["All", "None"] }""", "TSR4106")]
    [InlineData("""{ "includeUsers": ["All"], "includeGuestsOrExternalUsers": { "guestOrExternalUserTypes": "b2bCollaborationGuest" } }""", "TSR4106")]
    [InlineData("""{ "includeGroups": ["admins"] }""", "TSR4100")]
    [InlineData("""{ "includeUsers": "All" }""", "TSR4100")]
    [InlineData("""{ "includeUsers": ["All"], "includeCats": [] }""", "TSR4101")]
    [InlineData("""{ "includeUsers": ["All"], "excludeUsers": ["All"] }""", "TSR4106")]
    public void Read_BadUsers_Refused(string users, string code)
        => Assert.Equal(code, Read(With(users: users)).Code);

    [Theory]
    [InlineData("""{ "includeApplications": [] }""", "TSR4107")]
    [InlineData("""{ "includeApplications": ["All"], "includeAuthenticationContextClassReferences": ["c1"] }""", "TSR4107")]
    [InlineData("""{ "includeApplications": ["Office365"] }""", "TSR4108")]
    [InlineData("""{ "includeApplications": ["All"], "excludeApplications": ["All"] }""", "TSR4108")]
    [InlineData("""{ "includeAuthenticationContextClassReferences": ["c100"] }""", "TSR4109")]
    [InlineData("""{ "includeAuthenticationContextClassReferences": ["c0"] }""", "TSR4109")]
    [InlineData("""{ "includeAuthenticationContextClassReferences": ["c01"] }""", "TSR4109")]
    [InlineData("""{ "includeApplications": ["All"], "includeUserActions": ["urn:user:registersecurityinfo"] }""", "TSR4119")]
    public void Read_BadApplications_Refused(string apps, string code)
        => Assert.Equal(code, Read(With(apps: apps)).Code);

    [Theory]
    [InlineData("\"clientAppTypes\": [\"exchangeActiveSync\"]", "TSR4111")]
    [InlineData("\"clientAppTypes\": [\"legacy\"]", "TSR4110")]
    [InlineData("\"locations\": { \"includeLocations\": [\"Paris\"] }", "TSR4112")]
    [InlineData("\"locations\": { \"includeLocations\": [\"00000000-0000-0000-0000-000000000000\"] }", "TSR4112")]
    [InlineData("\"signInRiskLevels\": [\"hidden\"]", "TSR4113")]
    [InlineData("\"locations\": { \"includeLocations\": [\"All\"], \"excludeLocations\": [\"All\"] }", "TSR4112")]
    [InlineData("\"platforms\": { \"includePlatforms\": [\"all\"] }", "TSR4119")]
    [InlineData("\"devices\": { \"deviceFilter\": { \"mode\": \"include\", \"rule\": \"x\" } }", "TSR4119")]
    public void Read_ConditionsTesseraCannotSeeOrMisspelt_Refused(string extra, string code)
        => Assert.Equal(code, Read(With(extraConditions: extra)).Code);

    [Theory]
    [InlineData("""{ "operator": "XOR", "builtInControls": ["mfa"] }""", "TSR4114")]
    [InlineData("""{ "builtInControls": ["compliantDevice"] }""", "TSR4115")]
    [InlineData("""{ "builtInControls": ["passwordChange"] }""", "TSR4115")]
    [InlineData("""{ "builtInControls": ["block", "mfa"] }""", "TSR4116")]
    [InlineData("""{ "builtInControls": ["block"], "authenticationStrength": { "id": "00000000-0000-0000-0000-000000000002" } }""", "TSR4116")]
    [InlineData("""{ "builtInControls": [] }""", "TSR4117")]
    [InlineData("""{ "authenticationStrength": { "id": "11111111-0000-0000-0000-000000000002" } }""", "TSR4118")]
    [InlineData("""{ "builtInControls": ["mfa"], "termsOfUse": ["11111111-0000-0000-0000-000000000002"] }""", "TSR4120")]
    public void Read_BadGrantControls_Refused(string grant, string code)
        => Assert.Equal(code, Read(With(grant: grant)).Code);

    [Theory]
    [InlineData("""{ "signInFrequency": { "isEnabled": true, "value": 24, "type": "hours" } }""", "TSR4121")]
    [InlineData("""{ "signInFrequency": { "isEnabled": true, "value": 0, "type": "days" } }""", "TSR4121")]
    [InlineData("""{ "signInFrequency": { "isEnabled": true, "value": 1, "type": "weeks" } }""", "TSR4121")]
    [InlineData("""{ "signInFrequency": { "isEnabled": true, "value": 1, "type": "hours", "frequencyInterval": "everyTime" } }""", "TSR4121")]
    [InlineData("""{ "signInFrequency": { "value": 1, "type": "hours" } }""", "TSR4121")]
    [InlineData("""{ "persistentBrowser": { "isEnabled": true, "mode": "never" } }""", "TSR4120")]
    [InlineData("""{ "cloudAppSecurity": { "isEnabled": true } }""", "TSR4120")]
    public void Read_BadSessionControls_Refused(string session, string code)
        => Assert.Equal(code, Read(With(session: session)).Code);

    [Theory]
    [InlineData("""{ "includeUsers": ["None"] }""", """{ "builtInControls": ["mfa"] }""", "TSR4122")]
    [InlineData("""{ "includeUsers": ["All"] }""", """{ "builtInControls": ["block"] }""", "TSR4123")]
    [InlineData("""{ "includeUsers": [] }""", """{ "builtInControls": ["block"] }""", "TSR4123")]
    public void Read_WorkloadPolicy_OnlyBlockAndUsersNone(string users, string grant, string code)
        => Assert.Equal(code, Read(With(users: users, grant: grant, clients: """{ "includeServicePrincipals": ["ServicePrincipalsInMyTenant"] }""")).Code);

    [Fact]
    public void Read_WorkloadPolicyWithSession_Refused()
        => Assert.Equal("TSR4122", Read(With(users: """{ "includeUsers": ["None"] }""", grant: """{ "builtInControls": ["block"] }""",
            clients: """{ "includeServicePrincipals": ["ServicePrincipalsInMyTenant"] }""",
            session: """{ "signInFrequency": { "isEnabled": true, "value": 1, "type": "hours" } }""")).Code);

    [Fact]
    public void References_EveryIdNamed()
    {
        var (policy, _) = Read(Full);
        var references = ConditionalAccessDocuments.References(policy!);
        Assert.Equal([new Guid("a11ce000-0000-0000-0000-000000000001")], references.Users);
        Assert.Equal(2, references.Groups.Count);
        Assert.Equal([new Guid("0de50000-0000-0000-0000-000000000001")], references.Applications);
        Assert.Equal([new Guid("10c00000-0000-0000-0000-000000000001")], references.NamedLocations);
    }

    [Fact]
    public void ReadPolicy_ThenEvaluate_EngineSeesTheSamePolicy()
    {
        var (policy, _) = Read(With(grant: """{ "builtInControls": ["block"] }""", extraConditions: "\"signInRiskLevels\": [\"high\"]"));
        var signIn = new SignInConditions { UserId = Guid.NewGuid(), SignInRisk = RiskLevel.High, Now = DateTimeOffset.UnixEpoch, IpAddress = IPAddress.Loopback };
        Assert.Equal(AccessOutcome.Blocked, ConditionalAccessEngine.Evaluate([policy!], [], new HashSet<string>(), signIn).Outcome);
        Assert.Equal(AccessOutcome.Granted, ConditionalAccessEngine.Evaluate([policy!], [], new HashSet<string>(), signIn with { SignInRisk = RiskLevel.Low }).Outcome);
    }

    [Theory]
    [InlineData("""{"@odata.type":"#microsoft.graph.ipNamedLocation","displayName":"Office","isTrusted":true,"ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"10.0.0.0/8"},{"@odata.type":"#microsoft.graph.iPv6CidrRange","cidrAddress":"2001:db8::/32"}]}""", null)]
    [InlineData("""{"@odata.type":"#microsoft.graph.countryNamedLocation","displayName":"FR","countriesAndRegions":["FR"]}""", "TSR4127")]
    [InlineData("""{"displayName":"Office","ipRanges":[{"cidrAddress":"10.0.0.1/8"}]}""", "TSR4128")]
    [InlineData("""{"displayName":"Office","ipRanges":[{"cidrAddress":"10.0.0.0/33"}]}""", "TSR4128")]
    [InlineData("""{"displayName":"Office","ipRanges":[{"cidrAddress":"10.0.0.0"}]}""", "TSR4128")]
    [InlineData("""{"displayName":"Office","ipRanges":[{"@odata.type":"#microsoft.graph.iPv6CidrRange","cidrAddress":"10.0.0.0/8"}]}""", "TSR4129")]
    [InlineData("""{"displayName":"Office","ipRanges":[]}""", "TSR4130")]
    [InlineData("""{"ipRanges":[{"cidrAddress":"10.0.0.0/8"}]}""", "TSR4131")]
    [InlineData("""{"displayName":"Office","ipRanges":[{"cidrAddress":"10.0.0.0/8"}],"colour":"red"}""", "TSR4140")]
    public void ReadLocation_Table(string json, string? code)
    {
        var (change, error) = NamedLocationDocuments.ReadLocation(JsonNode.Parse(json)!.AsObject(), creating: true);
        Assert.Equal(code, error?.Code);
        if (code is null)
        {
            Assert.Equal(2, change!.Ranges!.Count);
            var written = NamedLocationDocuments.WriteLocation(new NamedLocation(Id, change.DisplayName!, change.IsTrusted!.Value, change.Ranges), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
            Assert.Equal("2001:db8::/32", written["ipRanges"]![1]!["cidrAddress"]!.GetValue<string>());
            Assert.Equal("#microsoft.graph.iPv6CidrRange", written["ipRanges"]![1]!["@odata.type"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("c1", true)]
    [InlineData("c99", true)]
    [InlineData("c100", false)]
    [InlineData("c0", false)]
    [InlineData("C1", false)]
    [InlineData("c", false)]
    public void IsAuthenticationContextId_Table(string id, bool valid)
        => Assert.Equal(valid, ConditionalAccessDocuments.IsAuthenticationContextId(id));
}
