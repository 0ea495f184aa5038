namespace Tessera.Policy.ConditionalAccess;

/// <summary>Graph's <c>conditionalAccessPolicyState</c>.</summary>
public enum PolicyState
{
    Enabled,
    Disabled,

    /// <summary>Graph's <c>enabledForReportingButNotEnforced</c>: evaluated and logged, never enforced.</summary>
    ReportOnly,
}

/// <summary>Graph's <c>conditionalAccessClientApp</c> values that Tessera tells apart.</summary>
public enum ClientAppType
{
    Browser,
    MobileAppsAndDesktopClients,

    /// <summary>Anything else, applications signing in as themselves included.</summary>
    Other,
}

/// <summary>Graph's <c>riskLevel</c>.</summary>
public enum RiskLevel
{
    None,
    Low,
    Medium,
    High,
}

/// <summary>
/// A Conditional Access policy (Graph's <c>conditionalAccessPolicy</c>): who and what it is about (its conditions, all
/// of which must hold), and what it then demands (block, or grant controls) and how long a sign-in lasts.
/// </summary>
public sealed record ConditionalAccessPolicy
{
    public required Guid Id { get; init; }
    public required string DisplayName { get; init; }
    public PolicyState State { get; init; } = PolicyState.Enabled;
    public PolicyUsers Users { get; init; } = new();
    public PolicyApplications Applications { get; init; } = new();

    /// <summary>Workload identities: the service principals (by app id) the policy is about; none means people only.</summary>
    public PolicyClientApplications? ClientApplications { get; init; }

    /// <summary>Empty means every client app type (Graph's <c>all</c>).</summary>
    public IReadOnlySet<ClientAppType> ClientAppTypes { get; init; } = new HashSet<ClientAppType>();
    public PolicyLocations? Locations { get; init; }

    /// <summary>Empty means any sign-in risk.</summary>
    public IReadOnlySet<RiskLevel> SignInRiskLevels { get; init; } = new HashSet<RiskLevel>();

    /// <summary>Empty means any user risk.</summary>
    public IReadOnlySet<RiskLevel> UserRiskLevels { get; init; } = new HashSet<RiskLevel>();
    public GrantControls? Grant { get; init; }
    public SignInFrequency? SignInFrequency { get; init; }

    /// <summary>Graph's <c>continuousAccessEvaluationSessionControl</c> mode; <see cref="ContinuousAccessMode.Default"/> when not set.</summary>
    public ContinuousAccessMode ContinuousAccessEvaluation { get; init; }
}

/// <summary>Graph's <c>continuousAccessEvaluationMode</c> values that Tessera takes.</summary>
public enum ContinuousAccessMode
{
    /// <summary>Not set: revocation events reach APIs; tokens are not bound to a network.</summary>
    Default,

    /// <summary>
    /// <c>strictEnforcement</c>: a token issued where the policy stays out because of its excluded locations carries
    /// those locations' ranges, and APIs refuse it from any other address.
    /// </summary>
    StrictEnforcement,

    /// <summary><c>disabled</c>: as <see cref="Default"/>. Revocation events are a security default Tessera does not turn off.</summary>
    Disabled,
}

/// <summary>Special values of the user lists: <c>All</c>, <c>None</c>; otherwise object ids.</summary>
public sealed record PolicyUsers
{
    public const string All = "All";
    public const string None = "None";

    public IReadOnlyList<string> IncludeUsers { get; init; } = [];
    public IReadOnlyList<string> ExcludeUsers { get; init; } = [];
    public IReadOnlyList<Guid> IncludeGroups { get; init; } = [];
    public IReadOnlyList<Guid> ExcludeGroups { get; init; } = [];

    /// <summary>Directory role template ids.</summary>
    public IReadOnlyList<Guid> IncludeRoles { get; init; } = [];
    public IReadOnlyList<Guid> ExcludeRoles { get; init; } = [];
}

/// <summary>Special values: <c>All</c>, <c>None</c>; otherwise app ids. Or authentication contexts (<c>c1</c>..<c>c99</c>) instead.</summary>
public sealed record PolicyApplications
{
    public const string All = "All";
    public const string None = "None";

    public IReadOnlyList<string> IncludeApplications { get; init; } = [];
    public IReadOnlyList<string> ExcludeApplications { get; init; } = [];
    public IReadOnlyList<string> IncludeAuthenticationContextClassReferences { get; init; } = [];
}

/// <summary>Special value <c>ServicePrincipalsInMyTenant</c>; otherwise app ids of the tenant's service principals.</summary>
public sealed record PolicyClientApplications
{
    public const string AllInTenant = "ServicePrincipalsInMyTenant";

    public IReadOnlyList<string> IncludeServicePrincipals { get; init; } = [];
    public IReadOnlyList<string> ExcludeServicePrincipals { get; init; } = [];
}

/// <summary>Special values <c>All</c> and <c>AllTrusted</c>; otherwise named location ids.</summary>
public sealed record PolicyLocations
{
    public const string All = "All";
    public const string AllTrusted = "AllTrusted";

    public IReadOnlyList<string> IncludeLocations { get; init; } = [];
    public IReadOnlyList<string> ExcludeLocations { get; init; } = [];
}

/// <summary>Graph's <c>conditionalAccessGrantControls</c>: block, or MFA and/or an authentication strength (OR or AND).</summary>
public sealed record GrantControls
{
    public bool Block { get; init; }
    public bool Mfa { get; init; }
    public AuthenticationStrength? Strength { get; init; }

    /// <summary><c>true</c>: every control (Graph's <c>AND</c>); <c>false</c>: any one of them (<c>OR</c>).</summary>
    public bool RequireAll { get; init; }
}

/// <summary>Graph's <c>signInFrequencySessionControl</c>: a new sign-in after a time, or at every sign-in.</summary>
public sealed record SignInFrequency
{
    public TimeSpan? Every { get; init; }
    public bool EveryTime { get; init; }
}
