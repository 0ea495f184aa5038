using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Assess;

/// <summary>One finding of the Tessera analyzers (TSA rules) in the assessed code.</summary>
internal sealed record CodeFinding(string RuleId, string Level, string Message, string File, int Line, string? HelpUri);

/// <summary>
/// <c>tessera assess --code PATH</c>: builds the solution or project with the Tessera analyzers added (an MSBuild file imported
/// after the common targets adds the analyzer shipped beside the CLI and asks the compiler for a SARIF log per project), reads
/// the TSA results from those logs and adds them to the report. A real build, so the code binds exactly as it does in CI;
/// no project is changed.
/// </summary>
internal static class CodeAnalysis
{
    public static async Task<IReadOnlyList<CodeFinding>> RunAsync(string path, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(path);
        if (!File.Exists(target) && !Directory.Exists(target))
        {
            throw CommandFailure.Usage(CliErrors.AssessCodeUnbuildable.With(path, "there is no such file or folder."));
        }
        var analyzer = Path.Combine(AppContext.BaseDirectory, "analyzers", "Tessera.Analyzers.dll");
        if (!File.Exists(analyzer))
        {
            throw CommandFailure.Usage(CliErrors.AssessCodeUnbuildable.With(path, "the analyzer is missing beside the command line (" + analyzer + "); reinstall tessera."));
        }

        var work = Directory.CreateTempSubdirectory("tessera-assess-");
        try
        {
            var logs = Path.Combine(work.FullName, "logs");
            Directory.CreateDirectory(logs);
            var targets = Path.Combine(work.FullName, "Tessera.Assess.targets");
            await File.WriteAllTextAsync(targets, $"""
                <Project>
                  <PropertyGroup>
                    <RunAnalyzers>true</RunAnalyzers>
                    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                    <ErrorLog>{logs}{Path.DirectorySeparatorChar}$(MSBuildProjectName)-$(TargetFramework).sarif,version=2.1</ErrorLog>
                  </PropertyGroup>
                  <ItemGroup>
                    <Analyzer Include="{analyzer}" />
                  </ItemGroup>
                </Project>
                """, cancellationToken).ConfigureAwait(false);

            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Directory.Exists(target) ? target : Path.GetDirectoryName(target)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])["build", target, "--no-incremental", "-nologo", "-v", "quiet", $"-p:CustomAfterMicrosoftCommonTargets={targets}"])
            {
                start.ArgumentList.Add(argument);
            }
            using var build = Process.Start(start) ?? throw CommandFailure.Usage(CliErrors.AssessCodeUnbuildable.With(path, "dotnet could not be started."));
            var output = build.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = build.StandardError.ReadToEndAsync(cancellationToken);
            await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var files = Directory.GetFiles(logs, "*.sarif");
            if (files.Length == 0)
            {
                var said = ((await output.ConfigureAwait(false)) + (await errors.ConfigureAwait(false))).Trim();
                throw CommandFailure.Usage(CliErrors.AssessCodeUnbuildable.With(path,
                    "dotnet build compiled nothing there (a folder with one solution or project, or the path of one). " + LastLines(said)));
            }

            var findings = new List<CodeFinding>();
            foreach (var file in files)
            {
                findings.AddRange(Read(JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false))));
            }
            return [.. findings.Distinct().OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal)];
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>What the build said: its error lines if there are any, else its last lines.</summary>
    private static string LastLines(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var errors = lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().Take(2).ToList();
        return string.Join(' ', errors.Count > 0 ? errors : lines.TakeLast(2));
    }

    private static IEnumerable<CodeFinding> Read(JsonNode? log)
    {
        foreach (var run in log?["runs"] as JsonArray ?? [])
        {
            var help = (run?["tool"]?["driver"]?["rules"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(r => r["id"] is not null)
                .GroupBy(r => (string)r["id"]!)
                .ToDictionary(g => g.Key, g => (string?)g.First()["helpUri"]);
            foreach (var result in (run?["results"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var id = (string?)result["ruleId"];
                if (id is null || !id.StartsWith("TSA", StringComparison.Ordinal))
                {
                    continue;
                }
                var location = result["locations"]?[0]?["physicalLocation"];
                var uri = (string?)location?["artifactLocation"]?["uri"] ?? "";
                var file = Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && absolute.IsFile ? absolute.LocalPath : uri;
                yield return new CodeFinding(id, (string?)result["level"] ?? "warning", (string?)result["message"]?["text"] ?? "",
                    file, (int?)location?["region"]?["startLine"] ?? 0, help.GetValueOrDefault(id));
            }
        }
    }

    /// <summary>The report of the registrations with the code findings added, in the same format.</summary>
    public static string Merge(string format, string text, IReadOnlyList<CodeFinding> findings, string root) => format switch
    {
        "json" => MergeJson(text, findings, root),
        "sarif" => MergeSarif(text, findings, root),
        "html" => text.Replace("</body>", Html(findings, root) + "</body>", StringComparison.Ordinal),
        _ => text.TrimEnd() + Environment.NewLine + Environment.NewLine + Markdown(findings, root),
    };

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');

    private static string MergeJson(string text, IReadOnlyList<CodeFinding> findings, string root)
    {
        var report = JsonNode.Parse(text)!.AsObject();
        report["code"] = new JsonArray([.. findings.Select(f => new JsonObject
        {
            ["ruleId"] = f.RuleId, ["level"] = f.Level, ["message"] = f.Message,
            ["file"] = Relative(root, f.File), ["line"] = f.Line, ["helpUri"] = f.HelpUri,
        })]);
        return report.ToJsonString(Indented);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A second run in the same SARIF log, for the analyzers as a tool of their own, every TSA rule found declared.</summary>
    private static string MergeSarif(string text, IReadOnlyList<CodeFinding> findings, string root)
    {
        var log = JsonNode.Parse(text)!.AsObject();
        var rules = findings.GroupBy(f => f.RuleId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new JsonObject
        {
            ["id"] = g.Key,
            ["shortDescription"] = new JsonObject { ["text"] = g.First().Message },
            ["helpUri"] = g.First().HelpUri,
            ["defaultConfiguration"] = new JsonObject { ["level"] = g.First().Level },
        }).ToList();
        var results = findings.Select(f => new JsonObject
        {
            ["ruleId"] = f.RuleId,
            ["level"] = f.Level,
            ["message"] = new JsonObject { ["text"] = f.Message },
            ["locations"] = new JsonArray(new JsonObject
            {
                ["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = Relative(root, f.File) },
                    ["region"] = new JsonObject { ["startLine"] = f.Line },
                },
            }),
        }).ToList();
        var runs = log["runs"] as JsonArray ?? [];
        runs.Add(new JsonObject
        {
            ["tool"] = new JsonObject { ["driver"] = new JsonObject { ["name"] = "Tessera.Analyzers", ["rules"] = new JsonArray([.. rules]) } },
            ["results"] = new JsonArray([.. results]),
        });
        log["runs"] = runs;
        return log.ToJsonString(Indented);
    }

    public static string Markdown(IReadOnlyList<CodeFinding> findings, string root)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"## Code ({findings.Count} findings)\n\n");
        if (findings.Count == 0)
        {
            return text.Append("The Tessera analyzers found nothing.\n").ToString();
        }
        text.Append("| Rule | Level | Where | Finding |\n|---|---|---|---|\n");
        foreach (var f in findings)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {f.RuleId} | {f.Level} | {Relative(root, f.File)}:{f.Line} | {f.Message.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }
        return text.ToString();
    }

    private static string Html(IReadOnlyList<CodeFinding> findings, string root)
    {
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<section><h2>Code ({findings.Count} findings)</h2>");
        html.Append(findings.Count == 0 ? "<p>The Tessera analyzers found nothing.</p>" : "<table><tr><th>Rule</th><th>Level</th><th>Where</th><th>Finding</th></tr>");
        foreach (var f in findings)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{WebUtility.HtmlEncode(f.RuleId)}</td><td>{WebUtility.HtmlEncode(f.Level)}</td><td>{WebUtility.HtmlEncode(Relative(root, f.File))}:{f.Line}</td><td>{WebUtility.HtmlEncode(f.Message)}</td></tr>");
        }
        return html.Append(findings.Count == 0 ? "</section>" : "</table></section>").ToString();
    }
}
