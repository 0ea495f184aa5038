using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Policy.Posture;

namespace Tessera.Cli.Assess;

/// <summary>
/// A posture report written for machines (JSON; SARIF 2.1.0 for code-scanning tools) and for people (Markdown; a
/// self-contained HTML page with scores and a chart). Every format lists the same findings in the same order.
/// </summary>
internal static class ReportFormats
{
    public static JsonObject Json(PostureReport report)
        => new()
        {
            ["assessedAt"] = report.AssessedAt.ToString("O", CultureInfo.InvariantCulture),
            ["tenantScore"] = report.TenantScore,
            ["applications"] = new JsonArray([.. report.Apps.Select(a => (JsonNode)new JsonObject
            {
                ["appId"] = a.App.AppId,
                ["displayName"] = a.App.DisplayName,
                ["score"] = a.Score,
                ["findings"] = new JsonArray([.. a.Findings.Select(f => (JsonNode)new JsonObject
                {
                    ["ruleId"] = f.Rule.Id,
                    ["rule"] = f.Rule.Name,
                    ["severity"] = Level(f.Severity),
                    ["title"] = f.Rule.Title,
                    ["evidence"] = f.Evidence,
                    ["remediation"] = f.Remediation,
                })]),
            })]),
        };

    /// <summary>
    /// SARIF 2.1.0: every rule declared, one result per finding located at the application (a logical location) and,
    /// when the registrations came from files, at the line of its <c>appId</c> in the first of <paramref name="inputs"/> naming it.
    /// </summary>
    public static JsonObject Sarif(PostureReport report, IReadOnlyList<(string Path, string Text)> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var rules = PostureRules.All.ToList();
        var files = inputs.Select(i => (i.Path, Lines: i.Text.Split('\n'))).ToList();
        var results = new JsonArray();
        foreach (var finding in report.Findings)
        {
            var location = new JsonObject
            {
                ["logicalLocations"] = new JsonArray(new JsonObject
                {
                    ["name"] = finding.AppDisplayName,
                    ["fullyQualifiedName"] = finding.AppId,
                    ["kind"] = "resource",
                }),
            };
            if (files.Count > 0)
            {
                var (path, line) = files.Select(f => (f.Path, Line: Array.FindIndex(f.Lines, l => l.Contains(finding.AppId, StringComparison.OrdinalIgnoreCase))))
                    .Where(f => f.Line >= 0).DefaultIfEmpty((files[0].Path, 0)).First();
                location["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = path.Replace('\\', '/') },
                    ["region"] = new JsonObject { ["startLine"] = line + 1 },
                };
            }

            results.Add(new JsonObject
            {
                ["ruleId"] = finding.Rule.Id,
                ["ruleIndex"] = rules.IndexOf(finding.Rule),
                ["level"] = Level(finding.Severity),
                ["message"] = new JsonObject { ["text"] = $"{finding.AppDisplayName} ({finding.AppId}): {finding.Rule.Title} {finding.Evidence}. {finding.Remediation}" },
                ["locations"] = new JsonArray(location),
                ["partialFingerprints"] = new JsonObject { ["tesseraFinding/v1"] = $"{finding.AppId}/{finding.Rule.Id}/{finding.Evidence}" },
            });
        }

        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "tessera assess",
                        ["rules"] = new JsonArray([.. rules.Select(r => (JsonNode)new JsonObject
                        {
                            ["id"] = r.Id,
                            ["name"] = r.Name,
                            ["shortDescription"] = new JsonObject { ["text"] = r.Title },
                            ["help"] = new JsonObject { ["text"] = r.Remediation },
                            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(r.Severity) },
                        })]),
                    },
                },
                ["results"] = results,
            }),
        };
    }

    public static string Markdown(PostureReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("# Application posture").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Assessed {report.AssessedAt:yyyy-MM-dd}: **tenant score {report.TenantScore}/100**, {report.Apps.Count} applications, " +
                                                      $"{report.Count(Severity.Error)} errors, {report.Count(Severity.Warning)} warnings, {report.Count(Severity.Note)} notes.").AppendLine();
        text.AppendLine("| Application | App id | Score | Errors | Warnings | Notes |").AppendLine("|---|---|---|---|---|---|");
        foreach (var app in report.Apps)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(app.App.DisplayName)} | `{app.App.AppId}` | {app.Score} | {app.Count(Severity.Error)} | {app.Count(Severity.Warning)} | {app.Count(Severity.Note)} |");
        }

        text.AppendLine().AppendLine("## Findings").AppendLine();
        foreach (var app in report.Apps.Where(a => a.Findings.Count > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### {Cell(app.App.DisplayName)} (`{app.App.AppId}`), score {app.Score}").AppendLine();
            foreach (var finding in app.Findings)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- **{Level(finding.Severity)} {finding.Rule.Id} {finding.Rule.Name}**: {Cell(finding.Evidence)}. {finding.Remediation}");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>One page, no script, styles inline: opens from a file or a CI artifact anywhere.</summary>
    public static string Html(PostureReport report)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Application posture — {{report.AssessedAt:yyyy-MM-dd}}</title>
            <style>
            body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
            h1{margin-bottom:.2rem}.score{font-size:2.4rem;font-weight:700}.error{color:#a4262c}.warning{color:#8a5a00}.note{color:#2b579a}
            table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
            .bar{background:#e8e8e8;height:1rem;width:12rem;display:inline-block;vertical-align:middle}.fill{display:block;height:100%;background:#2b579a}
            .fill.good{background:#107c10}.fill.fair{background:#c19c00}.fill.poor{background:#a4262c}.chart .bar{width:24rem}
            code{font-size:.85em}
            </style></head><body>
            <h1>Application posture</h1>
            <p>Assessed {{report.AssessedAt:yyyy-MM-dd}}: {{report.Apps.Count}} applications,
            <span class="error">{{report.Count(Severity.Error)}} errors</span>, <span class="warning">{{report.Count(Severity.Warning)}} warnings</span>,
            <span class="note">{{report.Count(Severity.Note)}} notes</span>.</p>
            <p>Tenant score <span class="score" id="tenant-score">{{report.TenantScore}}</span>/100</p>
            <h2>Findings by rule</h2>
            <table class="chart"><thead><tr><th>Rule</th><th>Findings</th></tr></thead><tbody>

            """);
        var most = report.ByRule.Count == 0 ? 1 : report.ByRule.Max(r => r.Count);
        foreach (var (rule, count) in report.ByRule)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><strong class=\"{Level(rule.Severity)}\">{rule.Id}</strong> {Encode(rule.Name)}</td><td><span class=\"bar\" role=\"img\" aria-label=\"{count} findings\"><span class=\"fill\" style=\"width:{count * 100 / most}%\"></span></span> {count}</td></tr>\n");
        }

        html.Append("</tbody></table>\n<h2>Applications</h2>\n<table><thead><tr><th>Application</th><th>Score</th><th>Findings</th></tr></thead><tbody>\n");
        foreach (var app in report.Apps)
        {
            var band = app.Score >= 80 ? "good" : app.Score >= 50 ? "fair" : "poor";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Encode(app.App.DisplayName)}<br><code>{Encode(app.App.AppId)}</code></td><td><span class=\"bar\" role=\"img\" aria-label=\"score {app.Score}\"><span class=\"fill {band}\" style=\"width:{app.Score}%\"></span></span> {app.Score}</td><td>");
            if (app.Findings.Count == 0)
            {
                html.Append("No findings.");
            }
            else
            {
                html.Append("<ul>");
                foreach (var finding in app.Findings)
                {
                    html.Append(CultureInfo.InvariantCulture,
                        $"<li><strong class=\"{Level(finding.Severity)}\">{finding.Rule.Id}</strong> {Encode(finding.Rule.Title)} <em>{Encode(finding.Evidence)}</em>. {Encode(finding.Remediation)}</li>");
                }

                html.Append("</ul>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>SARIF's level names, which the other formats use too.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
