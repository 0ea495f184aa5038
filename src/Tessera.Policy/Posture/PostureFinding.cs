namespace Tessera.Policy.Posture;

/// <summary>SARIF's levels, in order of weight.</summary>
public enum Severity
{
    Note,
    Warning,
    Error,
}

/// <summary>A rule of the assessment: its id, name, weight, and what to do about a finding.</summary>
public sealed record PostureRule(string Id, string Name, Severity Severity, string Title, string Remediation);

/// <summary>One rule broken by one application, with the evidence: the values that broke it.</summary>
public sealed record PostureFinding(PostureRule Rule, string AppId, string AppDisplayName, string Evidence, Severity Severity)
{
    public string Remediation => Rule.Remediation;
}

/// <summary>What the assessment is measured against.</summary>
public sealed record AssessmentSettings
{
    public required DateTimeOffset Now { get; init; }

    /// <summary>The tenant's verified domains; empty when unknown (then the domain rule says nothing).</summary>
    public IReadOnlyList<string> VerifiedDomains { get; init; } = [];
    public TimeSpan LongestSecretLifetime { get; init; } = TimeSpan.FromDays(180);
    public TimeSpan LongestCertificateLifetime { get; init; } = TimeSpan.FromDays(365);

    /// <summary>How far ahead an expiring credential is reported.</summary>
    public TimeSpan ExpiryWarning { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// When each application last got a token, by app id; null when unknown (an export), and then the usage rules say
    /// nothing. An application missing from a known activity has never signed in as far as the log reaches.
    /// </summary>
    public IReadOnlyDictionary<string, AppActivity>? Activity { get; init; }

    /// <summary>How long without a token before an application, or its access to an API, counts as unused.</summary>
    public TimeSpan UnusedAfter { get; init; } = TimeSpan.FromDays(90);
}

/// <summary>When an application last got a token, and for each API (by its app id).</summary>
public sealed record AppActivity(DateTimeOffset? LastSignIn, IReadOnlyDictionary<string, DateTimeOffset> LastTokenByResource);
