using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Policy.Posture;

namespace Tessera.Cli.Tests.Assess;

/// <summary>
/// <c>tessera assess --input</c> offline, over a 36-application Microsoft Graph export (with its servicePrincipals and
/// oauth2PermissionGrants exports beside it) and a Keycloak realm: the report in every format against a golden copy,
/// SARIF's rules and results consistent, <c>--fail-on</c> for CI, the exports given one by one, bad inputs.
/// A golden file that no longer matches is left beside it as <c>.actual</c> to compare.
/// </summary>
public sealed class AssessCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Assess", "Fixtures");
    private static readonly string Golden = Path.Combine(AppContext.BaseDirectory, "Assess", "Golden");
    private static readonly string Contoso = Path.Combine(Fixtures, "contoso-applications.json");
    private readonly string _work = Path.Combine(Path.GetTempPath(), "tessera-tests", "assess-" + Guid.NewGuid().ToString("N"));
    private readonly TesseraCli _cli;

    public AssessCommandTests()
    {
        System.IO.Directory.CreateDirectory(_work);
        _cli = new TesseraCli(_work);
    }

    [Theory]
    [InlineData("table", "contoso.txt")]
    [InlineData("json", "contoso.json")]
    [InlineData("sarif", "contoso.sarif")]
    [InlineData("markdown", "contoso.md")]
    [InlineData("html", "contoso.html")]
    public async Task Format_MatchesGoldenReport(string format, string golden)
    {
        var result = await AssessAsync("--format", format);

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = await File.ReadAllTextAsync(Path.Combine(Golden, golden));
        if (!string.Equals(Normalize(expected), Normalize(result.Stdout), StringComparison.Ordinal))
        {
            var actual = Path.Combine(_work, golden + ".actual");
            await File.WriteAllTextAsync(actual, result.Stdout);
            Assert.Fail($"The {format} report differs from Assess/Golden/{golden}; the new one is at {actual}.");
        }
    }

    [Fact]
    public async Task Sarif_EveryResultNamesADeclaredRuleAndTheApplication()
    {
        var sarif = (await AssessAsync("--format", "sarif")).Json;

        var run = sarif["runs"]![0]!;
        var rules = run["tool"]!["driver"]!["rules"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        var results = run["results"]!.AsArray();
        Assert.Equal("2.1.0", sarif["version"]!.GetValue<string>());
        Assert.Equal(PostureRules.All.Select(r => r.Id), rules);
        Assert.Equal([.. Enumerable.Range(1, 27).Select(n => $"TSP{n:000}")], rules);
        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            Assert.Equal(rules[r!["ruleIndex"]!.GetValue<int>()], r["ruleId"]!.GetValue<string>());
            Assert.Contains(r["level"]!.GetValue<string>(), new[] { "error", "warning", "note" });
            var location = r["locations"]![0]!;
            Assert.False(string.IsNullOrEmpty(location["logicalLocations"]![0]!["fullyQualifiedName"]!.GetValue<string>()));
            // Another organisation's application is found in the service principals export beside the applications.
            Assert.Contains(location["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>(), new[] { "contoso-applications.json", "contoso-servicePrincipals.json" });
            Assert.True(location["physicalLocation"]!["region"]!["startLine"]!.GetValue<int>() > 1);
        });
    }

    [Fact]
    public async Task FailOn_ErrorOrWarning_ExitCodeForCi()
    {
        Assert.Equal(1, (await AssessAsync("--fail-on", "error")).ExitCode);
        Assert.Equal(1, (await AssessAsync("--fail-on", "warning")).ExitCode);

        var healthy = Path.Combine(_work, "healthy.json");
        var apps = JsonNode.Parse(await File.ReadAllTextAsync(Contoso))!["value"]!.AsArray()
            .Where(a => a!["displayName"]!.GetValue<string>() is "Contoso Intranet" or "Orders API" or "Docs Portal").Select(a => a!.DeepClone());
        await File.WriteAllTextAsync(healthy, new JsonObject { ["value"] = new JsonArray([.. apps]) }.ToJsonString());
        var passed = await _cli.RunAsync("assess", "--input", healthy, "--fail-on", "warning", "--as-of", "2026-11-23");
        Assert.True(passed.ExitCode == 0, passed.ToString());
        Assert.Contains("Tenant score 100/100", passed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_WritesTheReportAndSaysWhere()
    {
        var target = Path.Combine(_work, "report.html");

        var result = await AssessAsync("--format", "html", "--output", target);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Tenant score 77/100, 39 applications", result.Stdout, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(target);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<span class=\"score\" id=\"tenant-score\">77</span>", html, StringComparison.Ordinal);
        // The chart by rule has a bar for the consent rule, and each application its score.
        Assert.Contains("<strong class=\"warning\">TSP026</strong> UserConsentToUnverifiedPublisher</td><td><span class=\"bar\" role=\"img\" aria-label=\"5 findings\">", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"score 60\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keycloak_RealmExport_Assessed()
    {
        var result = await _cli.RunAsync("assess", "--input", Path.Combine(Fixtures, "keycloak-realm.json"), "--format", "json", "--as-of", "2026-11-23");

        Assert.True(result.ExitCode == 0, result.ToString());
        var shop = result.Json["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == "web-shop")!;
        Assert.Contains(shop["findings"]!.AsArray(), f => f!["ruleId"]!.GetValue<string>() == "TSP023");
    }

    [Theory]
    [InlineData("not json at all", "is not JSON")]
    [InlineData("""{"hello": 1}""", "is not an export this reads")]
    [InlineData("""{"value": [{"displayName": "x"}]}""", "needs an appId")]
    public async Task BadInput_Exit2WithTheReason(string content, string reason)
    {
        var file = Path.Combine(_work, "bad.json");
        await File.WriteAllTextAsync(file, content);

        var result = await _cli.RunAsync("assess", "--input", file);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7025", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task ServicePrincipalsAndGrants_GivenAsInputs_OrLeftOut()
    {
        var apps = Copy("contoso-applications.json", "apps.json");
        var principals = Copy("contoso-servicePrincipals.json", "sp-export.json");
        var grants = Copy("contoso-oauth2PermissionGrants.json", "grants-export.json");

        var given = await _cli.RunAsync("assess", "--input", grants, "--input", apps, "--input", principals, "--format", "json", "--as-of", "2026-11-23");
        var alone = await _cli.RunAsync("assess", "--input", apps, "--format", "json", "--as-of", "2026-11-23");

        Assert.True(given.ExitCode == 0, given.ToString());
        Assert.Contains("TSP026", RulesOf(given.Json, "PDF Converter Online"));
        Assert.Contains("TSP027", RulesOf(given.Json, "Reporting Worker"));
        // Only NAMEapplications.json looks for exports beside it: apps.json is assessed alone, without service principals.
        Assert.True(alone.ExitCode == 0, alone.ToString());
        Assert.Equal(36, alone.Json["applications"]!.AsArray().Count);
        Assert.DoesNotContain(alone.Json["applications"]!.AsArray().SelectMany(a => a!["findings"]!.AsArray()), f => f!["ruleId"]!.GetValue<string>() is "TSP026" or "TSP027");
    }

    [Theory]
    [InlineData("grants", "TSR8302", "holds delegated permission grants, but no service principals export goes with it")]
    [InlineData("twoApplications", "TSR8301", "are both applications exports")]
    [InlineData("noApplications", "TSR8300", "Nothing to assess")]
    [InlineData("keycloak", "TSR8303", "is a Keycloak realm export")]
    [InlineData("besideNotJson", "TSR7025", "The export 'acme-servicePrincipals.json' cannot be read: it is not JSON")]
    [InlineData("besideWrongShape", "TSR7025", "item 0 is not one of the service principals: every item needs id, appId, and it has no appId")]
    [InlineData("grantOfUnknownClient", "TSR7025", "which the service principals export does not hold")]
    public async Task BadCombination_Exit2WithTheReason(string setup, string code, string reason)
    {
        var apps = Copy("contoso-applications.json", "acme-applications.json");
        string[] inputs = setup switch
        {
            "grants" => [apps, Copy("contoso-oauth2PermissionGrants.json", "grants.json")],
            "twoApplications" => [apps, Copy("contoso-applications.json", "more.json")],
            "noApplications" => [Copy("contoso-servicePrincipals.json", "sp.json")],
            "keycloak" => [Path.Combine(Fixtures, "keycloak-realm.json"), Copy("contoso-servicePrincipals.json", "sp.json")],
            "besideNotJson" => [apps, Write("acme-servicePrincipals.json", "{ not json")],
            "besideWrongShape" => [apps, Write("acme-servicePrincipals.json", """{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals", "value": [{"id": "x"}]}""")],
            _ => [apps, Write("acme-servicePrincipals.json", """[{"id": "sp-1", "appId": "app-1", "servicePrincipalType": "Application"}]"""),
                  Write("acme-oauth2PermissionGrants.json", """[{"clientId": "sp-2", "consentType": "Principal", "principalId": "u", "resourceId": "sp-1", "scope": "Read"}]""")],
        };

        // Files beside acme-applications.json are read without being named.
        var result = await _cli.RunAsync(["assess", .. inputs.Where(i => !i.Contains("acme-s", StringComparison.Ordinal) && !i.Contains("acme-o", StringComparison.Ordinal)).SelectMany(i => new[] { "--input", i })]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(code, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task MissingFileOrUnknownFormat_Exit2()
    {
        Assert.Equal(2, (await _cli.RunAsync("assess", "--input", Path.Combine(_work, "nowhere.json"))).ExitCode);
        Assert.Equal(2, (await AssessAsync("--format", "pdf")).ExitCode);
    }

    public void Dispose() => System.IO.Directory.Delete(_work, recursive: true);

    private string Copy(string fixture, string name)
    {
        var target = Path.Combine(_work, name);
        File.Copy(Path.Combine(Fixtures, fixture), target, overwrite: true);
        return target;
    }

    private string Write(string name, string content)
    {
        var target = Path.Combine(_work, name);
        File.WriteAllText(target, content);
        return target;
    }

    private static List<string> RulesOf(JsonNode report, string app)
        => [.. report["applications"]!.AsArray().Single(a => a!["displayName"]!.GetValue<string>() == app)!["findings"]!.AsArray().Select(f => f!["ruleId"]!.GetValue<string>())];

    private Task<CliResult> AssessAsync(params string[] extra)
        => _cli.RunAsync(["assess", "--input", Contoso, "--verified-domain", "contoso.com", "--as-of", "2026-11-23", .. extra]);

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
}
