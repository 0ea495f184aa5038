using System.Net;
using Tessera.Policy.ConditionalAccess;

namespace Tessera.Policy.Tests.ConditionalAccess;

public sealed class ConditionalAccessSafeguardsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid AdminApi = new("ad000000-0000-0000-0000-000000000001");
    private static readonly Guid BreakGlass = new("9a000000-0000-0000-0000-000000000002");
    private static readonly Guid GlobalAdministrator = new("62e90394-69f5-4237-9190-012177145e10");

    private static SignInConditions Admin(params Guid[] groups) => new()
    {
        UserId = Guid.NewGuid(),
        GroupIds = groups.ToHashSet(),
        RoleTemplateIds = new HashSet<Guid> { GlobalAdministrator },
        ApplicationId = AdminApi,
        AuthenticationMethods = new HashSet<string>(["pwd"], StringComparer.Ordinal),
        AuthenticatedAt = Now.AddDays(-400),
        Now = Now,
    };

    private static ConditionalAccessPolicy Policy(GrantControls grant, PolicyUsers? users = null, PolicyState state = PolicyState.Enabled, PolicyApplications? apps = null)
        => new()
        {
            Id = Guid.NewGuid(),
            DisplayName = "p",
            State = state,
            Users = users ?? new PolicyUsers { IncludeUsers = [PolicyUsers.All] },
            Applications = apps ?? new PolicyApplications { IncludeApplications = [PolicyApplications.All] },
            Grant = grant,
        };

    public static TheoryData<string, ConditionalAccessPolicy, bool> BreakGlassCases => new()
    {
        { "MFA for all users", Policy(new GrantControls { Mfa = true }), true },
        { "block all users", Policy(new GrantControls { Block = true }), true },
        { "MFA for the Global Administrator role", Policy(new GrantControls { Mfa = true }, new PolicyUsers { IncludeRoles = [GlobalAdministrator] }), true },
        { "break-glass group excluded", Policy(new GrantControls { Mfa = true }, new PolicyUsers { IncludeUsers = [PolicyUsers.All], ExcludeGroups = [BreakGlass] }), false },
        { "report-only", Policy(new GrantControls { Block = true }, state: PolicyState.ReportOnly), false },
        { "another application", Policy(new GrantControls { Block = true }, apps: new PolicyApplications { IncludeApplications = [Guid.NewGuid().ToString()] }), false },
    };

    [Theory]
    [MemberData(nameof(BreakGlassCases))]
    public void BreakGlassWarning_Table(string name, ConditionalAccessPolicy policy, bool warns)
    {
        var warning = ConditionalAccessSafeguards.BreakGlassWarning(policy, [Admin(), Admin(BreakGlass)]);
        Assert.True(warns == warning is not null, name);
    }

    [Fact]
    public void BreakGlassWarning_NoAdministrators_None()
        => Assert.Null(ConditionalAccessSafeguards.BreakGlassWarning(Policy(new GrantControls { Block = true }), []));

    [Fact]
    public void LocksOut_CallerWithMfa_OnlyTheStrongerStrengthCatchesThem()
    {
        var caller = Admin() with { AuthenticationMethods = new HashSet<string>(["pwd", "mfa"], StringComparer.Ordinal), IpAddress = IPAddress.Loopback };
        var locations = Array.Empty<NamedLocation>();
        var contexts = new HashSet<string>(StringComparer.Ordinal);
        Assert.Null(ConditionalAccessSafeguards.LocksOut(Policy(new GrantControls { Mfa = true }), locations, contexts, [caller]));
        var result = ConditionalAccessSafeguards.LocksOut(Policy(new GrantControls { Strength = AuthenticationStrength.PhishingResistantMfa }), locations, contexts, [caller]);
        Assert.Equal(PolicyResultKind.Failure, result!.Result);
        Assert.Null(ConditionalAccessSafeguards.LocksOut(Policy(new GrantControls { Block = true }, state: PolicyState.Disabled), locations, contexts, [caller]));
    }

    [Theory]
    [InlineData(AuthenticationStrength.Mfa)]
    [InlineData(AuthenticationStrength.PasswordlessMfa)]
    [InlineData(AuthenticationStrength.PhishingResistantMfa)]
    public void MethodsReaching_ReachExactlyThatStrength(AuthenticationStrength strength)
        => Assert.Equal(strength, AuthenticationStrengths.Reached(ConditionalAccessSafeguards.MethodsReaching(strength).ToList()));
}
