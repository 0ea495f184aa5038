namespace Tessera.Policy.Posture;

/// <summary>One application's score (0–100) and findings.</summary>
public sealed record AppPosture(AppRegistration App, int Score, IReadOnlyList<PostureFinding> Findings)
{
    public int Count(Severity severity) => Findings.Count(f => f.Severity == severity);
}

/// <summary>
/// The assessment of a set of registrations: every finding, a score per application and for the tenant, and the
/// findings counted by rule. A score starts at 100 and loses 40 per error, 15 per warning and 3 per note (at least 0);
/// the tenant's is the applications' average, so one bad app does not hide behind many good ones only up to a point.
/// </summary>
public sealed record PostureReport(IReadOnlyList<AppPosture> Apps, int TenantScore, DateTimeOffset AssessedAt)
{
    public IEnumerable<PostureFinding> Findings => Apps.SelectMany(a => a.Findings);

    /// <summary>The rules that fired, most findings first.</summary>
    public IReadOnlyList<(PostureRule Rule, int Count)> ByRule
        => [.. Findings.GroupBy(f => f.Rule).Select(g => (g.Key, g.Count())).OrderByDescending(r => r.Item2).ThenBy(r => r.Key.Id, StringComparer.Ordinal)];

    public static PostureReport Of(IReadOnlyList<AppRegistration> apps, AssessmentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentNullException.ThrowIfNull(settings);
        // Another organisation's application is in the report only for what is wrong with it here: the many that are
        // merely present (Microsoft's own among them) would only pad the tenant's score.
        var scored = apps.Select(app =>
        {
            var findings = PostureRules.Assess(app, apps, settings).ToList();
            return new AppPosture(app, Score(findings), findings);
        }).Where(a => !a.App.RegisteredElsewhere || a.Findings.Count > 0).OrderBy(a => a.Score).ThenBy(a => a.App.DisplayName, StringComparer.OrdinalIgnoreCase).ToList();
        var tenant = scored.Count == 0 ? 100 : (int)Math.Round(scored.Average(a => a.Score), MidpointRounding.AwayFromZero);
        return new PostureReport(scored, tenant, settings.Now);
    }

    /// <summary>How many findings of <paramref name="severity"/> the report holds.</summary>
    public int Count(Severity severity) => Findings.Count(f => f.Severity == severity);

    /// <summary>Whether a finding reaches <paramref name="threshold"/> (for <c>--fail-on</c>).</summary>
    public bool Reaches(Severity threshold) => Findings.Any(f => f.Severity >= threshold);

    private static int Score(IEnumerable<PostureFinding> findings)
        => Math.Max(0, 100 - findings.Sum(f => f.Severity switch { Severity.Error => 40, Severity.Warning => 15, _ => 3 }));
}
