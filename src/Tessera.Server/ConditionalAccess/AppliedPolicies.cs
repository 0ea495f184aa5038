using System.Text.Json.Nodes;
using Tessera.Directory.Audit;
using Tessera.Policy.ConditionalAccess;

namespace Tessera.Server.ConditionalAccess;

/// <summary>
/// A decision's policy results as the sign-in log keeps them: Graph's <c>appliedConditionalAccessPolicies</c>
/// (<c>id</c>, <c>displayName</c>, <c>result</c>, <c>enforcedGrantControls</c>, <c>enforcedSessionControls</c>).
/// Policies that are off are left out; so are the last "not applied" entries if the text would outgrow its column.
/// </summary>
public static class AppliedPolicies
{
    /// <summary>The JSON text of <paramref name="decision"/>'s results; <c>null</c> when no policy is on.</summary>
    public static string? ToJson(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var entries = new JsonArray();
        var length = 2; // the brackets
        // The policies that applied come first, so that a long list loses only "not applied" entries.
        var listed = decision.Policies.Where(p => p.Result != PolicyResultKind.NotEnabled)
            .OrderBy(p => p.Result is PolicyResultKind.NotApplied or PolicyResultKind.ReportOnlyNotApplied && p.EnforcedSessionControls.Count == 0 ? 1 : 0);
        foreach (var policy in listed)
        {
            var entry = new JsonObject
            {
                ["id"] = policy.PolicyId.ToString("D"),
                ["displayName"] = policy.DisplayName,
                ["result"] = GraphResult(policy.Result),
                ["enforcedGrantControls"] = new JsonArray([.. policy.EnforcedGrantControls.Select(c => (JsonNode)c)]),
                ["enforcedSessionControls"] = new JsonArray([.. policy.EnforcedSessionControls.Select(c => (JsonNode)c)]),
            };
            length += entry.ToJsonString().Length + 1; // and a comma
            if (length > SignInEvent.AppliedPoliciesLength)
            {
                break;
            }

            entries.Add(entry);
        }

        return entries.Count == 0 ? null : entries.ToJsonString();
    }

    /// <summary>
    /// Whether any policy applied to the sign-in, enforced or report-only, or bound its tokens to networks (strict
    /// location enforcement): worth a line in the log.
    /// </summary>
    public static bool AnyApplied(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.LocationBindings.Count > 0 || decision.Policies.Any(p => p.Result is PolicyResultKind.Success or PolicyResultKind.Failure
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
