using System.Net;
using Tessera.Policy.ConditionalAccess;

namespace Tessera.Policy.Tests.ConditionalAccess;

public sealed class ConditionalAccessEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Alice = new("a11ce000-0000-0000-0000-000000000001");
    private static readonly Guid Admins = new("9a000000-0000-0000-0000-000000000001");
    private static readonly Guid BreakGlass = new("9a000000-0000-0000-0000-000000000002");
    private static readonly Guid GlobalAdministrator = new("62e90394-69f5-4237-9190-012177145e10");
    private static readonly Guid Orders = new("0de50000-0000-0000-0000-000000000001");
    private static readonly Guid Inventory = new("0de50000-0000-0000-0000-000000000002");
    private static readonly Guid Daemon = new("dae00000-0000-0000-0000-000000000001");
    private static readonly NamedLocation Office = new(new("10c00000-0000-0000-0000-000000000001"), "Office", true, [IPNetwork.Parse("10.1.0.0/16")]);
    private static readonly NamedLocation Partner = new(new("10c00000-0000-0000-0000-000000000002"), "Partner", false, [IPNetwork.Parse("192.0.2.0/24")]);
    private static readonly HashSet<string> Contexts = new(StringComparer.Ordinal) { "c1", "c2" };

    private static ConditionalAccessPolicy Policy(
        GrantControls? grant = null,
        PolicyState state = PolicyState.Enabled,
        PolicyUsers? users = null,
        PolicyApplications? apps = null,
        PolicyLocations? locations = null,
        ClientAppType[]? clientApps = null,
        RiskLevel[]? signInRisk = null,
        SignInFrequency? frequency = null,
        PolicyClientApplications? workloads = null)
        => new()
        {
            Id = Guid.NewGuid(),
            DisplayName = "p",
            State = state,
            Users = users ?? new PolicyUsers { IncludeUsers = [PolicyUsers.All] },
            Applications = apps ?? new PolicyApplications { IncludeApplications = [PolicyApplications.All] },
            Locations = locations,
            ClientAppTypes = (clientApps ?? []).ToHashSet(),
            SignInRiskLevels = (signInRisk ?? []).ToHashSet(),
            Grant = grant,
            SignInFrequency = frequency,
            ClientApplications = workloads,
        };

    private static SignInConditions Person(string[]? amr = null, string ip = "10.1.2.3", Guid? app = null, string[]? contexts = null,
        Guid[]? groups = null, Guid[]? roles = null, ClientAppType client = ClientAppType.Browser, RiskLevel risk = RiskLevel.None,
        DateTimeOffset? authenticatedAt = null)
        => new()
        {
            UserId = Alice,
            GroupIds = (groups ?? []).ToHashSet(),
            RoleTemplateIds = (roles ?? []).ToHashSet(),
            ApplicationId = app ?? Orders,
            AuthenticationContexts = (contexts ?? []).ToHashSet(StringComparer.Ordinal),
            ClientApp = client,
            IpAddress = IPAddress.Parse(ip),
            SignInRisk = risk,
            AuthenticationMethods = (amr ?? ["pwd"]).ToHashSet(StringComparer.Ordinal),
            AuthenticatedAt = authenticatedAt ?? Now.AddMinutes(-1),
            Now = Now,
        };

    private static SignInConditions Workload(string ip = "10.1.2.3")
        => new() { ServicePrincipalAppId = Daemon, ApplicationId = Orders, IpAddress = IPAddress.Parse(ip), ClientApp = ClientAppType.Other, Now = Now };

    private static ConditionalAccessDecision Evaluate(SignInConditions signIn, params ConditionalAccessPolicy[] policies)
        => ConditionalAccessEngine.Evaluate(policies, [Office, Partner], Contexts, signIn);

    private static readonly GrantControls RequireMfa = new() { Mfa = true };
    private static readonly GrantControls Block = new() { Block = true };

    public static TheoryData<string, ConditionalAccessPolicy, SignInConditions, AccessOutcome, PolicyResultKind> Table => new()
    {
        { "no controls", Policy(), Person(), AccessOutcome.Granted, PolicyResultKind.Success },
        { "mfa asked, password only", Policy(RequireMfa), Person(), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "mfa asked, password + otp", Policy(RequireMfa), Person(["pwd", "otp", "mfa"]), AccessOutcome.Granted, PolicyResultKind.Success },
        { "mfa asked, passkey", Policy(RequireMfa), Person(["fido", "mfa"]), AccessOutcome.Granted, PolicyResultKind.Success },
        { "phishing-resistant asked, password + otp", Policy(new() { Strength = AuthenticationStrength.PhishingResistantMfa }), Person(["pwd", "otp", "mfa"]), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "phishing-resistant asked, passkey", Policy(new() { Strength = AuthenticationStrength.PhishingResistantMfa }), Person(["fido", "mfa"]), AccessOutcome.Granted, PolicyResultKind.Success },
        { "mfa OR phishing-resistant, otp", Policy(new() { Mfa = true, Strength = AuthenticationStrength.PhishingResistantMfa }), Person(["pwd", "otp", "mfa"]), AccessOutcome.Granted, PolicyResultKind.Success },
        { "mfa AND phishing-resistant, otp", Policy(new() { Mfa = true, Strength = AuthenticationStrength.PhishingResistantMfa, RequireAll = true }), Person(["pwd", "otp", "mfa"]), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "block", Policy(Block), Person(["fido", "mfa"]), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "block, report-only", Policy(Block, PolicyState.ReportOnly), Person(), AccessOutcome.Granted, PolicyResultKind.ReportOnlyFailure },
        { "mfa, report-only, satisfied", Policy(RequireMfa, PolicyState.ReportOnly), Person(["pwd", "otp", "mfa"]), AccessOutcome.Granted, PolicyResultKind.ReportOnlySuccess },
        { "block, report-only, not applied", Policy(Block, PolicyState.ReportOnly, apps: new() { IncludeApplications = [Inventory.ToString()] }), Person(), AccessOutcome.Granted, PolicyResultKind.ReportOnlyNotApplied },
        { "block, disabled", Policy(Block, PolicyState.Disabled), Person(), AccessOutcome.Granted, PolicyResultKind.NotEnabled },
        { "user excluded beats all users", Policy(Block, users: new() { IncludeUsers = [PolicyUsers.All], ExcludeUsers = [Alice.ToString()] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "excluded group beats included user", Policy(Block, users: new() { IncludeUsers = [Alice.ToString()], ExcludeGroups = [BreakGlass] }), Person(groups: [BreakGlass]), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "excluded role beats included group", Policy(Block, users: new() { IncludeGroups = [Admins], ExcludeRoles = [GlobalAdministrator] }), Person(groups: [Admins], roles: [GlobalAdministrator]), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "included group", Policy(Block, users: new() { IncludeGroups = [Admins] }), Person(groups: [Admins]), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "included role", Policy(RequireMfa, users: new() { IncludeRoles = [GlobalAdministrator] }), Person(roles: [GlobalAdministrator]), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "not included", Policy(Block, users: new() { IncludeGroups = [Admins] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "users None", Policy(Block, users: new() { IncludeUsers = [PolicyUsers.None] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "app included", Policy(Block, apps: new() { IncludeApplications = [Orders.ToString()] }), Person(), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "app excluded beats all", Policy(Block, apps: new() { IncludeApplications = [PolicyApplications.All], ExcludeApplications = [Orders.ToString()] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "other app", Policy(Block, apps: new() { IncludeApplications = [Inventory.ToString()] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "location outside the office", Policy(Block, locations: new() { IncludeLocations = [PolicyLocations.All], ExcludeLocations = [PolicyLocations.AllTrusted] }), Person(ip: "198.51.100.7"), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "location in the office", Policy(Block, locations: new() { IncludeLocations = [PolicyLocations.All], ExcludeLocations = [PolicyLocations.AllTrusted] }), Person(ip: "10.1.200.1"), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "named location included", Policy(RequireMfa, locations: new() { IncludeLocations = [Partner.Id.ToString()] }), Person(ip: "192.0.2.9"), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "named location not matched", Policy(RequireMfa, locations: new() { IncludeLocations = [Partner.Id.ToString()] }), Person(ip: "10.1.0.1"), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "client app type matched", Policy(Block, clientApps: [ClientAppType.MobileAppsAndDesktopClients]), Person(client: ClientAppType.MobileAppsAndDesktopClients), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "client app type not matched", Policy(Block, clientApps: [ClientAppType.MobileAppsAndDesktopClients]), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "sign-in risk high", Policy(Block, signInRisk: [RiskLevel.High]), Person(risk: RiskLevel.High), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "sign-in risk low", Policy(Block, signInRisk: [RiskLevel.High]), Person(risk: RiskLevel.Low), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "frequency 1h, signed in 2h ago", Policy(frequency: new() { Every = TimeSpan.FromHours(1) }), Person(authenticatedAt: Now.AddHours(-2)), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "frequency 1h, signed in 10 min ago", Policy(frequency: new() { Every = TimeSpan.FromHours(1) }), Person(authenticatedAt: Now.AddMinutes(-10)), AccessOutcome.Granted, PolicyResultKind.Success },
        { "frequency every time, 10 min ago", Policy(frequency: new() { EveryTime = true }), Person(authenticatedAt: Now.AddMinutes(-10)), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "people policy, workload", Policy(Block), Workload(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "workload policy, person", Policy(Block, users: new(), workloads: new() { IncludeServicePrincipals = [PolicyClientApplications.AllInTenant] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "workload blocked outside the office", Policy(Block, users: new(), workloads: new() { IncludeServicePrincipals = [Daemon.ToString()] }, locations: new() { IncludeLocations = [PolicyLocations.All], ExcludeLocations = [Office.Id.ToString()] }), Workload("203.0.113.5"), AccessOutcome.Blocked, PolicyResultKind.Failure },
        { "workload in the office", Policy(Block, users: new(), workloads: new() { IncludeServicePrincipals = [Daemon.ToString()] }, locations: new() { IncludeLocations = [PolicyLocations.All], ExcludeLocations = [Office.Id.ToString()] }), Workload("10.1.9.9"), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "workload excluded", Policy(Block, users: new(), workloads: new() { IncludeServicePrincipals = [PolicyClientApplications.AllInTenant], ExcludeServicePrincipals = [Daemon.ToString()] }), Workload(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
        { "context asked, policy on it", Policy(RequireMfa, apps: new() { IncludeAuthenticationContextClassReferences = ["c1"] }), Person(contexts: ["c1"]), AccessOutcome.ControlsRequired, PolicyResultKind.Failure },
        { "context not asked", Policy(RequireMfa, apps: new() { IncludeAuthenticationContextClassReferences = ["c1"] }), Person(), AccessOutcome.Granted, PolicyResultKind.NotApplied },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Evaluate_Table(string name, ConditionalAccessPolicy policy, SignInConditions signIn, AccessOutcome outcome, PolicyResultKind result)
    {
        var decision = Evaluate(signIn, policy);

        Assert.True(outcome == decision.Outcome, $"{name}: {decision.Outcome}; {string.Join(" ", decision.Policies[0].Explanation)}");
        Assert.Equal(result, Assert.Single(decision.Policies).Result);
        Assert.NotEmpty(decision.Policies[0].Explanation);
    }

    [Fact]
    public void Evaluate_SeveralPolicies_StrongestRequirementAndBlockWins()
    {
        var mfa = Policy(RequireMfa);
        var phishingResistant = Policy(new() { Strength = AuthenticationStrength.PhishingResistantMfa }, apps: new() { IncludeApplications = [Orders.ToString()] });

        var decision = Evaluate(Person(["pwd"]), mfa, phishingResistant);
        var blocked = Evaluate(Person(["pwd"]), mfa, phishingResistant, Policy(Block, PolicyState.Enabled, users: new() { IncludeUsers = [Alice.ToString()] }));

        Assert.Equal(AccessOutcome.ControlsRequired, decision.Outcome);
        Assert.Equal(AuthenticationStrength.PhishingResistantMfa, decision.RequiredStrength);
        Assert.Equal(AccessOutcome.Blocked, blocked.Outcome);
    }

    [Fact]
    public void Evaluate_ContextSatisfied_IssuedOnlyWhenAvailableAndSatisfied()
    {
        var c1 = Policy(RequireMfa, apps: new() { IncludeAuthenticationContextClassReferences = ["c1"] });

        var weak = Evaluate(Person(["pwd"], contexts: ["c1", "c2"]), c1);
        var strong = Evaluate(Person(["pwd", "otp", "mfa"], contexts: ["c1", "c2", "c9"]), c1);

        Assert.Empty(weak.SatisfiedAuthenticationContexts);
        Assert.Equal(["c1", "c2"], strong.SatisfiedAuthenticationContexts.Order());
    }

    [Fact]
    public void Evaluate_FrequencyNotMet_AsksForAFreshSignIn()
    {
        var decision = Evaluate(Person(["pwd", "otp", "mfa"], authenticatedAt: Now.AddDays(-2)), Policy(RequireMfa, frequency: new() { Every = TimeSpan.FromDays(1) }));

        Assert.Equal(AccessOutcome.ControlsRequired, decision.Outcome);
        Assert.True(decision.ReauthenticationRequired);
        Assert.Equal(["signInFrequency"], decision.Policies[0].EnforcedSessionControls);
    }

    [Theory]
    [InlineData(new string[0], AuthenticationStrength.SingleFactor)]
    [InlineData(new[] { "pwd" }, AuthenticationStrength.SingleFactor)]
    [InlineData(new[] { "pwd", "otp", "mfa" }, AuthenticationStrength.Mfa)]
    [InlineData(new[] { "pwd", "mfa" }, AuthenticationStrength.Mfa)]
    [InlineData(new[] { "otp", "mfa" }, AuthenticationStrength.PasswordlessMfa)]
    [InlineData(new[] { "fido", "mfa" }, AuthenticationStrength.PhishingResistantMfa)]
    public void Reached_FromAmr(string[] amr, AuthenticationStrength strength)
        => Assert.Equal(strength, AuthenticationStrengths.Reached(amr));

    public static TheoryData<string, string, string[], bool> StrictLocationTable => new()
    {
        { "in the excluded office: bound to its ranges", "10.1.2.3", ["10.1.0.0/16"], true },
        { "outside: the policy blocks, nothing to bind", "198.51.100.7", [], false },
        { "another user: the policy is not about them", "10.1.2.3|other", [], false },
        { "report-only: reported, never binds", "10.1.2.3|report", [], true },
    };

    [Theory]
    [MemberData(nameof(StrictLocationTable))]
    public void Evaluate_StrictLocationEnforcement_BindsOnlyWhereThePolicyStaysOut(string name, string input, string[] expected, bool reported)
    {
        var parts = input.Split('|');
        var strict = Policy(Block, state: parts.Contains("report") ? PolicyState.ReportOnly : PolicyState.Enabled,
            users: parts.Contains("other") ? new PolicyUsers { IncludeUsers = [Guid.NewGuid().ToString()] } : null,
            locations: new() { IncludeLocations = [PolicyLocations.All], ExcludeLocations = [PolicyLocations.AllTrusted] })
            with { ContinuousAccessEvaluation = ContinuousAccessMode.StrictEnforcement };

        var decision = Evaluate(Person(ip: parts[0]), strict);

        Assert.Equal(expected, decision.LocationBindings.SelectMany(b => b).Select(r => r.ToString()));
        Assert.Equal(reported, decision.Policies.Single().EnforcedSessionControls.Contains(ConditionalAccessEngine.StrictLocationControl));
        _ = name;
    }

    [Fact]
    public void Evaluate_StrictAndDefaultModes_OnlyStrictBinds()
    {
        var locations = new PolicyLocations { IncludeLocations = [PolicyLocations.All], ExcludeLocations = [Office.Id.ToString()] };
        var plain = Policy(Block, locations: locations);
        var disabled = Policy(Block, locations: locations) with { ContinuousAccessEvaluation = ContinuousAccessMode.Disabled };

        Assert.Empty(Evaluate(Person(ip: "10.1.2.3"), plain, disabled).LocationBindings);
        Assert.Single(Evaluate(Person(ip: "10.1.2.3"), plain, disabled, plain with { ContinuousAccessEvaluation = ContinuousAccessMode.StrictEnforcement }).LocationBindings);
    }
}
