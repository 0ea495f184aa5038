namespace Tessera.Policy.ConditionalAccess;

/// <summary>What the sign-in may do.</summary>
public enum AccessOutcome
{
    Granted,

    /// <summary>A policy blocks it: nothing the person can do now changes that.</summary>
    Blocked,

    /// <summary>A stronger or fresher sign-in would satisfy the policies: <see cref="ConditionalAccessDecision.RequiredStrength"/>, <see cref="ConditionalAccessDecision.ReauthenticationRequired"/>.</summary>
    ControlsRequired,
}

/// <summary>Graph's <c>appliedConditionalAccessPolicyResult</c> values.</summary>
public enum PolicyResultKind
{
    Success,
    Failure,
    NotApplied,
    NotEnabled,
    ReportOnlySuccess,
    ReportOnlyFailure,
    ReportOnlyNotApplied,
}

/// <summary>One policy's part in a decision, with the reasons a person reads in the sign-in log or "what if".</summary>
public sealed record PolicyResult(
    Guid PolicyId,
    string DisplayName,
    PolicyResultKind Result,
    IReadOnlyList<string> EnforcedGrantControls,
    IReadOnlyList<string> EnforcedSessionControls,
    IReadOnlyList<string> Explanation);

/// <summary>The policies' joint answer and each one's result.</summary>
public sealed record ConditionalAccessDecision(
    AccessOutcome Outcome,
    IReadOnlyList<PolicyResult> Policies,
    AuthenticationStrength RequiredStrength,
    bool ReauthenticationRequired,
    IReadOnlySet<string> SatisfiedAuthenticationContexts)
{
    /// <summary>
    /// For a granted request, one list of network ranges per policy in strict location enforcement that binds the
    /// token: the token is usable only from an address inside some range of every list.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<System.Net.IPNetwork>> LocationBindings { get; init; } = [];

    /// <summary>The enforced policies that are not satisfied (blocking or asking for more), for messages.</summary>
    public IEnumerable<PolicyResult> Failed => Policies.Where(p => p.Result == PolicyResultKind.Failure);
}
