using System.Text.Json.Nodes;
using Tessera.Policy.Posture;

namespace Tessera.Policy.Tests.Posture;

/// <summary>
/// The posture rules over a realistic export of a tenant's 36 applications (Microsoft Graph's shape, with owners and
/// federated credentials expanded) and a Keycloak realm export: each rule fires where it should and nowhere else.
/// </summary>
public sealed class PostureRulesTests
{
    private static readonly AssessmentSettings Settings = new()
    {
        Now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        VerifiedDomains = ["contoso.com"],
    };

    private static readonly IReadOnlyList<AppRegistration> Contoso = Load("contoso-applications.json");
    private static readonly IReadOnlyList<PostureFinding> Findings = PostureRules.Assess(Contoso, Settings);

    private static IReadOnlyList<AppRegistration> Load(string name)
    {
        var (apps, error) = RegistrationExports.Read(JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Posture", "Fixtures", name))));
        Assert.Null(error);
        return apps;
    }

    private static IEnumerable<string> RulesOf(string app) => Findings.Where(f => f.AppDisplayName == app).Select(f => f.Rule.Id).Distinct().Order(StringComparer.Ordinal);

    [Fact]
    public void Export_ReadsEveryApplication() => Assert.Equal(36, Contoso.Count);

    [Theory]
    [InlineData("Contoso Intranet")]
    [InlineData("Orders API")]
    [InlineData("Contoso Mobile")]
    [InlineData("Payroll Export")]
    [InlineData("Docs Portal")]
    [InlineData("Expenses")]
    [InlineData("Kiosk Display")]
    [InlineData("Analytics API")]
    [InlineData("Build Pipeline")]
    [InlineData("Benefits Portal")]
    [InlineData("Status Page")]
    [InlineData("Backup Agent")]
    [InlineData("Release Pipeline")]
    public void HealthyApplication_NoFinding(string app) => Assert.Empty(RulesOf(app));

    [Theory]
    [InlineData("Legacy Portal", new[] { "TSP001", "TSP002", "TSP008", "TSP009", "TSP016" })]
    [InlineData("Marketing Site", new[] { "TSP003", "TSP005", "TSP008", "TSP009", "TSP011" })]
    [InlineData("Old Desktop Tool", new[] { "TSP006", "TSP010", "TSP012" })]
    [InlineData("Partner Portal", new[] { "TSP004", "TSP013" })]
    [InlineData("Reporting Worker", new[] { "TSP010", "TSP013", "TSP014", "TSP015" })]
    [InlineData("Mailbox Sync", new[] { "TSP017", "TSP018", "TSP019" })]
    [InlineData("Tenant Admin Bot", new[] { "TSP017" })]
    [InlineData("Shared Login", new[] { "TSP004", "TSP007" })]
    [InlineData("Inventory API", new[] { "TSP020", "TSP021", "TSP022" })]
    [InlineData("Helpdesk Console", new[] { "TSP017" })]
    [InlineData("Files Archiver", new[] { "TSP017" })]
    [InlineData("HR Directory Sync", new[] { "TSP009", "TSP017" })]
    [InlineData("Survey Tool", new[] { "TSP008" })]
    [InlineData("Ticket Bridge", new[] { "TSP017", "TSP019" })]
    [InlineData("Wiki", new[] { "TSP016" })]
    [InlineData("Travel Booking", new string[0])]
    [InlineData("Old Timesheets", new[] { "TSP001", "TSP008", "TSP009", "TSP016" })]
    [InlineData("SharePoint Migrator", new[] { "TSP017" })]
    public void UnhealthyApplication_TheRulesItBreaks(string app, string[] rules) => Assert.Equal(rules, RulesOf(app));

    [Fact]
    public void CriticalApplicationPermission_IsAnError_HighDelegated_AWarning()
    {
        var bot = Findings.Where(f => f.AppDisplayName == "Tenant Admin Bot").ToList();
        Assert.Equal(2, bot.Count);
        Assert.All(bot, f => Assert.Equal(Severity.Error, f.Severity));
        Assert.Contains(bot, f => f.Evidence.Contains("RoleManagement.ReadWrite.Directory (application, critical)", StringComparison.Ordinal));
        var helpdesk = Assert.Single(Findings, f => f.AppDisplayName == "Helpdesk Console");
        Assert.Equal(Severity.Warning, helpdesk.Severity);
        Assert.Contains("Directory.AccessAsUser.All (delegated, high)", helpdesk.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ImplicitIdTokensAlone_Warning_AccessTokens_Error()
    {
        var idOnly = new AppRegistration { AppId = "a", DisplayName = "a", ImplicitIdTokens = true };
        var access = idOnly with { ImplicitAccessTokens = true };

        Assert.Equal(Severity.Warning, Assert.Single(PostureRules.Assess([idOnly], Settings)).Severity);
        Assert.Equal(Severity.Error, Assert.Single(PostureRules.Assess([access], Settings)).Severity);
    }

    [Fact]
    public void UnknownOwnersOrDomains_ThoseRulesSayNothing()
    {
        var app = new AppRegistration { AppId = "a", DisplayName = "a", WebRedirectUris = ["https://elsewhere.example/cb"], Owners = null };

        Assert.Empty(PostureRules.Assess([app], Settings with { VerifiedDomains = [] }));
    }

    [Fact]
    public void Keycloak_RealmExport_ClientsAssessedBuiltInsLeftOut()
    {
        var realm = Load("keycloak-realm.json");
        var findings = PostureRules.Assess(realm, Settings);

        Assert.Equal(["web-shop", "mobile-app", "legacy-spa", "billing-service"], realm.Select(a => a.AppId));
        Assert.Equal(["TSP003", "TSP008", "TSP009", "TSP023"], findings.Where(f => f.AppId == "web-shop").Select(f => f.Rule.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["TSP001", "TSP002"], findings.Where(f => f.AppId == "legacy-spa").Select(f => f.Rule.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(findings, f => f.AppId is "mobile-app" or "billing-service");
    }

    [Theory]
    [InlineData("""{"hello": 1}""")]
    [InlineData("""[{"displayName": "no app id"}]""")]
    [InlineData("42")]
    public void Read_NotAnExport_SaysWhatItExpects(string json)
    {
        var (apps, error) = RegistrationExports.Read(JsonNode.Parse(json));

        Assert.Empty(apps);
        Assert.NotNull(error);
    }

    [Fact]
    public void EveryRule_HasAUniqueIdAndARemediation()
    {
        Assert.Equal(PostureRules.All.Count, PostureRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(PostureRules.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Remediation)));
    }
}

public sealed class PostureUsageRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private const string Api = "11111111-1111-1111-1111-111111111111";

    private static readonly AppRegistration Client = new()
    {
        AppId = "22222222-2222-2222-2222-222222222222",
        DisplayName = "Client",
        CreatedDateTime = Now.AddYears(-1),
        RequiredResourceAccess = [new PermissionRequest(Api, "x", "Role")],
    };

    private static readonly AppRegistration Resource = new()
    {
        AppId = Api, DisplayName = "Orders API", CreatedDateTime = Now.AddYears(-1), ExposedScopes = ["Orders.Read"], RequestedAccessTokenVersion = 2,
        AppRoles = [new ExposedAppRole("Orders.Read.All", ["Application"])],
    };

    private static IEnumerable<string> Rules(AppRegistration app, Dictionary<string, AppActivity>? activity)
        => PostureRules.Assess(app, [Client, Resource], new AssessmentSettings { Now = Now, Activity = activity }).Select(f => f.Rule.Id);

    [Fact]
    public void NoActivityKnown_UsageRulesSayNothing() => Assert.Empty(Rules(Client, null));

    [Fact]
    public void NeverSignedIn_Dormant_ButNotAnApiOrANewApp()
    {
        Assert.Equal(["TSP024"], Rules(Client, []));
        Assert.Empty(Rules(Resource, []));
        Assert.Empty(Rules(Client with { CreatedDateTime = Now.AddDays(-10) }, []));
    }

    [Fact]
    public void SignedInRecentlyButNotToTheApi_UnusedPermission_NamingTheApi()
    {
        var finding = Assert.Single(PostureRules.Assess(Client, [Client, Resource], new AssessmentSettings
        {
            Now = Now,
            Activity = new Dictionary<string, AppActivity> { [Client.AppId] = new(Now.AddDays(-1), new Dictionary<string, DateTimeOffset>()) },
        }));

        Assert.Equal("TSP025", finding.Rule.Id);
        Assert.StartsWith("Orders API: no token", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void UsedTheApiRecently_NoFinding()
        => Assert.Empty(Rules(Client, new Dictionary<string, AppActivity>
        {
            [Client.AppId] = new(Now.AddDays(-1), new Dictionary<string, DateTimeOffset> { [Api] = Now.AddDays(-1) }),
        }));

    [Fact]
    public void LastUsedLongAgo_DormantWithTheDate()
    {
        var finding = Assert.Single(PostureRules.Assess(Client, [Client], new AssessmentSettings
        {
            Now = Now,
            Activity = new Dictionary<string, AppActivity> { [Client.AppId] = new(Now.AddDays(-200), new Dictionary<string, DateTimeOffset>()) },
        }));

        Assert.Equal("TSP024", finding.Rule.Id);
        Assert.Contains("2026-05-07", finding.Evidence, StringComparison.Ordinal);
    }
}

/// <summary>
/// The service principal rules over the same tenant's <c>servicePrincipals</c> and <c>oauth2PermissionGrants</c>
/// exports: people's own consents to applications nobody vouches for, and credentials kept on a service principal.
/// </summary>
public sealed class PostureServicePrincipalRulesTests
{
    private static readonly AssessmentSettings Settings = new()
    {
        Now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        VerifiedDomains = ["contoso.com"],
    };

    private static readonly IReadOnlyList<AppRegistration> Contoso = Load();
    private static readonly PostureReport Report = PostureReport.Of(Contoso, Settings);

    private static JsonNode? Fixture(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Posture", "Fixtures", name)));

    private static IReadOnlyList<AppRegistration> Load()
    {
        var (apps, error) = RegistrationExports.Read(Fixture("contoso-applications.json"));
        Assert.Null(error);
        var (principals, principalError) = RegistrationExports.ReadServicePrincipals(Fixture("contoso-servicePrincipals.json"));
        var (grants, grantError) = RegistrationExports.ReadPermissionGrants(Fixture("contoso-oauth2PermissionGrants.json"));
        Assert.Null(principalError);
        Assert.Null(grantError);
        var (combined, combineError) = RegistrationExports.WithServicePrincipals(apps, principals, grants);
        Assert.Null(combineError);
        return combined;
    }

    private static IEnumerable<PostureFinding> Of(string app, PostureRule rule) => Report.Findings.Where(f => f.AppDisplayName == app && f.Rule == rule);

    [Fact]
    public void Exports_ToldApartByTheirContext()
    {
        Assert.Equal(ExportKind.Registrations, RegistrationExports.KindOf(Fixture("contoso-applications.json")));
        Assert.Equal(ExportKind.ServicePrincipals, RegistrationExports.KindOf(Fixture("contoso-servicePrincipals.json")));
        Assert.Equal(ExportKind.PermissionGrants, RegistrationExports.KindOf(Fixture("contoso-oauth2PermissionGrants.json")));
        Assert.Equal(ExportKind.ServicePrincipals, RegistrationExports.KindOf(JsonNode.Parse("""[{"id": "a", "appId": "b", "servicePrincipalType": "Application"}]""")));
        Assert.Equal(ExportKind.PermissionGrants, RegistrationExports.KindOf(JsonNode.Parse("""[{"clientId": "a", "consentType": "Principal"}]""")));
    }

    [Theory]
    [InlineData("PDF Converter Online", Severity.Error, "4 user(s) consented to Microsoft Graph (Files.Read.All Mail.Read offline_access openid profile User.Read); no verifiedPublisher, registered by organisation c41b7e2d-9a30-4f6c-8e15-3b7d0a9c2f48; broad: Mail.Read")]
    [InlineData("Meeting Notes AI", Severity.Error, "2 user(s) consented to Microsoft Graph (Calendars.Read offline_access openid User.Read); no verifiedPublisher, registered by organisation 2e8d4f1a-7c6b-4a05-9d3e-6b1c0f8a5e72")]
    [InlineData("Survey Tool", Severity.Warning, "4 user(s) consented to Microsoft Graph (openid profile User.Read); no verifiedPublisher")]
    [InlineData("Wiki", Severity.Warning, "1 user(s) consented to Orders API (Orders.Read); no verifiedPublisher")]
    [InlineData("Feedback Form", Severity.Note, "1 user(s) consented to Microsoft Graph (openid User.Read); no verifiedPublisher; service principal disabled")]
    public void UserConsentToUnverifiedPublisher_ThirdPartyAnError_OwnAWarning_DisabledANote(string app, Severity severity, string evidence)
    {
        var finding = Assert.Single(Of(app, PostureRules.UserConsentUnverifiedPublisher));

        Assert.Equal(severity, finding.Severity);
        Assert.Equal(evidence, finding.Evidence);
    }

    [Theory]
    [InlineData("Meetly")]
    [InlineData("Graph Explorer")]
    [InlineData("Microsoft Graph Command Line Tools")]
    [InlineData("Travel Booking")]
    [InlineData("Contoso Intranet")]
    public void ConsentToVerifiedOrMicrosoftOrAdminConsented_NoFinding(string app)
        => Assert.DoesNotContain(Report.Findings, f => f.AppDisplayName == app && f.Rule == PostureRules.UserConsentUnverifiedPublisher);

    [Fact]
    public void ServicePrincipalCredentials_Reported_ButNotASamlSigningCertificate()
    {
        Assert.Equal("on the service principal: secret 'sync-fallback' until 2028-03-02", Assert.Single(Of("Reporting Worker", PostureRules.ServicePrincipalCredential)).Evidence);
        Assert.Equal("on the service principal: certificate 'connector' until 2028-02-21", Assert.Single(Of("Data Connector", PostureRules.ServicePrincipalCredential)).Evidence);
        Assert.Equal(2, Report.Findings.Count(f => f.Rule == PostureRules.ServicePrincipalCredential));
    }

    [Fact]
    public void OtherOrganisationsApps_ListedOnlyWithAFinding_AndOnlyForServicePrincipalRules()
    {
        var elsewhere = Report.Apps.Where(a => a.App.RegisteredElsewhere).Select(a => a.App.DisplayName).Order(StringComparer.Ordinal);

        Assert.Equal(["Data Connector", "Meeting Notes AI", "PDF Converter Online"], elsewhere);
        Assert.Equal(39, Report.Apps.Count);
        Assert.All(Report.Apps.Where(a => a.App.RegisteredElsewhere).SelectMany(a => a.Findings),
            f => Assert.Contains(f.Rule, new[] { PostureRules.UserConsentUnverifiedPublisher, PostureRules.ServicePrincipalCredential }));
    }

    [Theory]
    [InlineData("Contoso Intranet")]
    [InlineData("Orders API")]
    [InlineData("Payroll Export")]
    [InlineData("Docs Portal")]
    [InlineData("Expenses")]
    [InlineData("Backup Agent")]
    public void HealthyApplication_WithItsServicePrincipal_NoFinding(string app)
        => Assert.Empty(Report.Apps.Single(a => a.App.DisplayName == app).Findings);

    [Fact]
    public void ServicePrincipalState_ReadFromTheExport()
    {
        Assert.True(Contoso.Single(a => a.DisplayName == "Payroll Export").ServicePrincipal!.AccountEnabled);
        Assert.False(Contoso.Single(a => a.DisplayName == "Feedback Form").ServicePrincipal!.AccountEnabled);
        Assert.Equal(4, Contoso.Single(a => a.DisplayName == "Survey Tool").ServicePrincipal!.UserConsents.Count);
        Assert.Empty(Contoso.Single(a => a.DisplayName == "Backup Agent").ServicePrincipal!.UserConsents);
    }

    [Theory]
    [InlineData("""{"hello": 1}""", "not a list of service principals")]
    [InlineData("""[{"id": "x"}]""", "item 0 is not one of the service principals: every item needs id, appId, and it has no appId")]
    [InlineData("""[42]""", "it has no fields")]
    public void ReadServicePrincipals_NotAnExport_SaysWhy(string json, string reason)
        => Assert.Contains(reason, RegistrationExports.ReadServicePrincipals(JsonNode.Parse(json)).Error, StringComparison.Ordinal);

    [Fact]
    public void Grant_OfAClientMissingFromTheServicePrincipals_SaysSo()
    {
        var (principals, _) = RegistrationExports.ReadServicePrincipals(JsonNode.Parse("""[{"id": "sp-1", "appId": "app-1"}]"""));
        var (grants, error) = RegistrationExports.ReadPermissionGrants(JsonNode.Parse(
            """{"value": [{"clientId": "sp-2", "consentType": "Principal", "principalId": "u", "resourceId": "sp-1", "scope": "Read"}]}"""));
        Assert.Null(error);

        var (apps, combineError) = RegistrationExports.WithServicePrincipals([], principals, grants);

        Assert.Empty(apps);
        Assert.StartsWith("grant 0 names the client service principal sp-2, which the service principals export does not hold", combineError, StringComparison.Ordinal);
    }
}
