using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests.Assess;

/// <summary>
/// <c>tessera assess --code</c>: a real <c>dotnet build</c> of a small project with the Tessera analyzers added; their findings
/// join the registration report (SARIF as a second run with the TSA rules declared, JSON under "code", the table and markdown).
/// </summary>
public sealed class AssessCodeTests : IDisposable
{
    private static readonly string Contoso = Path.Combine(AppContext.BaseDirectory, "Assess", "Fixtures", "contoso-applications.json");
    private readonly string _work = Path.Combine(Path.GetTempPath(), "tessera-tests", "assess-code-" + Guid.NewGuid().ToString("N"));
    private readonly string _project;
    private readonly TesseraCli _cli;

    public AssessCodeTests()
    {
        _project = Path.Combine(_work, "project");
        System.IO.Directory.CreateDirectory(_project);
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Assess", "CodeFixture")))
        {
            File.Copy(file, Path.Combine(_project, Path.GetFileName(file)));
        }
        _cli = new TesseraCli(_work);
    }

    [Fact]
    public async Task Code_InsecureProject_FindingsMergedIntoEveryFormat()
    {
        var sarif = await _cli.RunAsync("assess", "--input", Contoso, "--as-of", "2026-11-23", "--code", _project, "--format", "sarif");

        Assert.True(sarif.ExitCode == 0, sarif.ToString());
        var runs = JsonNode.Parse(sarif.Stdout)!["runs"]!.AsArray();
        var code = runs.Single(r => (string?)r!["tool"]!["driver"]!["name"] == "Tessera.Analyzers")!;
        var results = code["results"]!.AsArray().Select(r => ((string)r!["ruleId"]!, (string)r["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!, (int)r["locations"]![0]!["physicalLocation"]!["region"]!["startLine"]!)).ToList();
        Assert.Equal([("TSA0009", "Insecure.cs", 5), ("TSA0012", "Insecure.cs", 8)], results);
        var declared = code["tool"]!["driver"]!["rules"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
        Assert.Equal(["TSA0009", "TSA0012"], declared);
        Assert.Contains(runs, r => (string?)r!["tool"]!["driver"]!["name"] != "Tessera.Analyzers");

        var json = await _cli.RunAsync("assess", "--input", Contoso, "--as-of", "2026-11-23", "--code", _project, "--format", "json");
        Assert.Equal(["TSA0009", "TSA0012"], JsonNode.Parse(json.Stdout)!["code"]!.AsArray().Select(f => (string)f!["ruleId"]!));

        var failing = await _cli.RunAsync("assess", "--input", Contoso, "--as-of", "2026-11-23", "--code", _project, "--format", "markdown", "--fail-on", "warning");
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("| TSA0012 | warning | Insecure.cs:8 |", failing.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_NothingToBuild_Exit2WithTheReason()
    {
        var empty = Path.Combine(_work, "empty");
        System.IO.Directory.CreateDirectory(empty);

        var missing = await _cli.RunAsync("assess", "--input", Contoso, "--code", Path.Combine(_work, "nowhere"));
        var nothing = await _cli.RunAsync("assess", "--input", Contoso, "--code", empty);

        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("TSR7031", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no such file or folder", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("compiled nothing there", nothing.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => System.IO.Directory.Delete(_work, recursive: true);
}
