namespace Tessera.Directory.Protection;

/// <summary>
/// A risky event Tessera detected or an administrator reported (Graph's <c>riskDetection</c>): a password spray (one
/// source trying many accounts with a few passwords each; about a source, no user), or an administrator confirming that
/// a user is compromised (about a user). A detection at risk raises the sign-in risk of its source's sign-ins or the
/// user risk of its user, which Conditional Access policies can act on.
/// </summary>
public sealed class RiskDetection
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary><see cref="RiskEventTypes"/>.</summary>
    public required string RiskEventType { get; set; }

    /// <summary><see cref="RiskLevels"/>.</summary>
    public required string RiskLevel { get; set; }

    /// <summary><see cref="RiskStates"/>.</summary>
    public required string RiskState { get; set; }

    /// <summary>Graph's <c>activity</c>: <c>signin</c>.</summary>
    public required string Activity { get; set; }
    public required string IpAddress { get; set; }

    /// <summary>The user the detection is about, for a user risk; null for a source's (a spray).</summary>
    public Guid? UserId { get; set; }
    public string? UserPrincipalName { get; set; }

    /// <summary>
    /// The network of <see cref="IpAddress"/> that is blocked while the detection is at risk (IPv4 /24, IPv6 /64); empty
    /// for a detection about a user.
    /// </summary>
    public required string SourcePrefix { get; set; }
    public DateTimeOffset DetectedDateTime { get; set; }
    public DateTimeOffset LastUpdatedDateTime { get; set; }

    /// <summary>How many distinct accounts the source tried in the detection window.</summary>
    public int TargetedAccounts { get; set; }
    public string? AdditionalInfo { get; set; }
}

/// <summary>Graph's <c>riskEventType</c> values Tessera raises.</summary>
public static class RiskEventTypes
{
    public const string PasswordSpray = "passwordSpray";
    public const string AdminConfirmedUserCompromised = "adminConfirmedUserCompromised";
}

/// <summary>Graph's <c>riskLevel</c> values.</summary>
public static class RiskLevels
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
}

/// <summary>Graph's <c>riskState</c> values.</summary>
public static class RiskStates
{
    public const string AtRisk = "atRisk";
    public const string ConfirmedCompromised = "confirmedCompromised";
    public const string Dismissed = "dismissed";
    public const string Remediated = "remediated";

    /// <summary>The states in which a detection still counts towards a risk level.</summary>
    public static readonly IReadOnlyList<string> Active = [AtRisk, ConfirmedCompromised];
}
