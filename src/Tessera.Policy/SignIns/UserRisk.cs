using Tessera.Policy.ConditionalAccess;

namespace Tessera.Policy.SignIns;

/// <summary>One risk detection as the risk levels are computed from it: Graph's <c>riskLevel</c> and <c>riskState</c>.</summary>
public readonly record struct DetectedRisk(string Level, string State, string EventType, DateTimeOffset LastUpdated);

/// <summary>
/// A user's risk (Graph's <c>riskyUser</c>) or a source's sign-in risk, from the detections about it: the highest level
/// among the detections still at risk (or confirmed compromised); dismissed and remediated ones no longer count.
/// </summary>
public static class UserRisk
{
    public const string AtRisk = "atRisk";
    public const string ConfirmedCompromised = "confirmedCompromised";
    public const string Dismissed = "dismissed";
    public const string Remediated = "remediated";
    public const string None = "none";

    /// <summary>Whether a detection in <paramref name="state"/> still counts.</summary>
    public static bool IsActive(string state) => state is AtRisk or ConfirmedCompromised;

    /// <summary>The highest level among the active detections; <see cref="RiskLevel.None"/> when none is active.</summary>
    public static RiskLevel Level(IEnumerable<DetectedRisk> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var highest = RiskLevel.None;
        foreach (var detection in detections)
        {
            if (IsActive(detection.State) && ConditionalAccessDocuments.ParseRisk(detection.Level) is { } level && level > highest)
            {
                highest = level;
            }
        }

        return highest;
    }

    /// <summary>
    /// Graph's <c>riskState</c> of a user: confirmed compromised or at risk while such a detection is active, else what
    /// happened to the newest detection (dismissed, remediated), else none.
    /// </summary>
    public static string State(IReadOnlyCollection<DetectedRisk> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (detections.Any(d => d.State == ConfirmedCompromised))
        {
            return ConfirmedCompromised;
        }

        if (detections.Any(d => d.State == AtRisk))
        {
            return AtRisk;
        }

        return detections.Count == 0 ? None : detections.MaxBy(d => d.LastUpdated).State;
    }

    /// <summary>Graph's <c>riskDetail</c>: why the user's risk is what it is.</summary>
    public static string Detail(IReadOnlyCollection<DetectedRisk> detections)
        => State(detections) switch
        {
            ConfirmedCompromised => "adminConfirmedUserCompromised",
            Dismissed => "adminDismissedAllRiskForUser",
            _ => None,
        };
}
