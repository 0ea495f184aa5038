using System.Text.Json.Nodes;
using Tessera.Directory.Audit;
using Tessera.Policy.ConditionalAccess;
using Tessera.Server.ConditionalAccess;

namespace Tessera.Server.Tests.ConditionalAccess;

/// <summary>The sign-in log's <c>appliedConditionalAccessPolicies</c> text: Graph's spelling, fits its column, keeps what applied.</summary>
public sealed class AppliedPoliciesTests
{
    private static PolicyResult Result(PolicyResultKind kind, string name = "p")
        => new(Guid.NewGuid(), name, kind, kind is PolicyResultKind.Failure or PolicyResultKind.ReportOnlyFailure ? ["mfa"] : [], [], ["why"]);

    private static ConditionalAccessDecision Decision(params PolicyResult[] results)
        => new(AccessOutcome.Granted, results, AuthenticationStrength.SingleFactor, false, new HashSet<string>());

    [Fact]
    public void ToJson_NoPolicyOn_Null()
        => Assert.Null(AppliedPolicies.ToJson(Decision(Result(PolicyResultKind.NotEnabled))));

    [Fact]
    public void ToJson_ReportOnlyFailure_GraphShape()
    {
        var json = JsonNode.Parse(AppliedPolicies.ToJson(Decision(Result(PolicyResultKind.ReportOnlyFailure, "Require MFA")))!)!.AsArray();

        var entry = Assert.Single(json)!;
        Assert.Equal("Require MFA", entry["displayName"]!.GetValue<string>());
        Assert.Equal("reportOnlyFailure", entry["result"]!.GetValue<string>());
        Assert.Equal("mfa", entry["enforcedGrantControls"]![0]!.GetValue<string>());
        Assert.True(AppliedPolicies.AnyApplied(Decision(Result(PolicyResultKind.ReportOnlyFailure))));
        Assert.False(AppliedPolicies.AnyApplied(Decision(Result(PolicyResultKind.NotApplied), Result(PolicyResultKind.ReportOnlyNotApplied))));
    }

    [Fact]
    public void ToJson_ManyLongPolicies_FitsColumnAndKeepsTheOneThatFailed()
    {
        var name = new string('x', 200);
        var results = Enumerable.Range(0, 195).Select(_ => Result(PolicyResultKind.NotApplied, name)).Append(Result(PolicyResultKind.Failure, "Block")).ToArray();

        var text = AppliedPolicies.ToJson(Decision(results))!;

        Assert.True(text.Length <= SignInEvent.AppliedPoliciesLength, text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var json = JsonNode.Parse(text)!.AsArray();
        Assert.Equal("failure", json[0]!["result"]!.GetValue<string>());
    }
}
