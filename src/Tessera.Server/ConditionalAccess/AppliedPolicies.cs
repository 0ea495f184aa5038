using System.Text.Json.Nodes;
using Tessera.Directory.Audit;
using Tessera.Policy.ConditionalAccess;

namespace Tessera.Server.ConditionalAccess;

/// <summary>
/// A decision's policy results as the sign-in log keeps them: Graph's <c>appliedConditionalAccessPolicies</c>
/// (<c>id</c>, <c>displayName</c>, <c>result</c>, <c>enforcedGrantControls</c>, <c>enforcedSessionControls</c>).
/// Policies that are off are left out; so are the last entries if the text would outgrow its column.
/// </summary>
public static class AppliedPolicies
{
    /// <summary>The JSON text of <paramref name="decision"/>'s results; <c>null</c> when no policy is on.</summary>
    public static string? ToJson(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var entries = new JsonArray();
        foreach (var policy in decision.Policies.Where(p => p.Result != PolicyResultKind.NotEnabled))
        {
            var entry = new JsonObject
            {
                ["id"] = policy.PolicyId.ToString("D"),
                ["displayName"] = policy.DisplayName,
                ["result"] = GraphResult(policy.Result),
                ["enforcedGrantControls"] = new JsonArray([.. policy.EnforcedGrantControls.Select(c => (JsonNode)c)]),
                ["enforcedSessionControls"] = new JsonArray([.. policy.EnforcedSessionControls.Select(c => (JsonNode)c)]),
            };
            entries.Add(entry);
            if (entries.ToJsonString().Length > SignInEvent.AppliedPoliciesLength)
            {
                entries.Remove(entry);
                break;
            }
        }

        return entries.Count == 0 ? null : entries.ToJsonString();
    }

    /// <summary>Whether any policy applied to the sign-in, enforced or report-only (worth a line in the log).</summary>
    public static bool AnyApplied(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Policies.Any(p => p.Result is PolicyResultKind.Success or PolicyResultKind.Failure
            or PolicyResultKind.ReportOnlySuccess or PolicyResultKind.ReportOnlyFailure);
    }

    /// <summary>Graph's <c>appliedConditionalAccessPolicyResult</c> spelling.</summary>
    public static string GraphResult(PolicyResultKind result) => result switch
    {
        PolicyResultKind.Success => "success",
        PolicyResultKind.Failure => "failure",
        PolicyResultKind.NotApplied => "notApplied",
        PolicyResultKind.NotEnabled => "notEnabled",
        PolicyResultKind.ReportOnlySuccess => "reportOnlySuccess",
        PolicyResultKind.ReportOnlyFailure => "reportOnlyFailure",
        _ => "reportOnlyNotApplied",
    };
}
