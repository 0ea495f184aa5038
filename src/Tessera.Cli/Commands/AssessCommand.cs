using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Assess;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;
using Tessera.Policy.Posture;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera assess</c>: scores application registrations against Zero Trust practice, from the signed-in tenant
/// (through the admin API) or offline from an export (<c>--input</c>: Microsoft Graph applications or a Keycloak realm).
/// </summary>
internal static class AssessCommand
{
    // A report for people and tools, not a web page: keep the text readable (§, quotes) rather than escaped.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Column[] Columns =
    [
        new("Application", a => a.Text("displayName")),
        new("Score", a => a.Text("score")),
        new("Errors", a => a.Text("errors")),
        new("Warnings", a => a.Text("warnings")),
        new("Notes", a => a.Text("notes")),
        new("Rules", a => a.Text("rules")),
    ];

    public static Command Create(CliRuntime runtime)
    {
        var input = new Option<FileInfo?>("--input") { Description = "Assess an export instead of the signed-in tenant: Microsoft Graph applications (GET /v1.0/applications, az ad app list) or a Keycloak realm export." };
        var format = new Option<string>("--format") { Description = "table, json, sarif, markdown or html.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "sarif", "markdown", "html");
        var output = new Option<FileInfo?>("--output") { Description = "Write the report to this file instead of standard output." };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit with 1 when a finding is at least this severe: error or warning (for CI)." };
        failOn.AcceptOnlyFromAmong("error", "warning");
        var domains = new Option<string[]>("--verified-domain") { Description = "A domain the organisation has verified (repeatable); with --input, for the redirect-domain rule." };
        var asOf = new Option<DateTimeOffset?>("--as-of") { Description = "Judge credential expiry and usage as of this date (default: now), for reproducible reports." };
        var unusedDays = new Option<int>("--unused-days") { Description = "On a live tenant: days without a token before an app or its access to an API counts as unused.", DefaultValueFactory = _ => 90 };
        unusedDays.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 3650)
            {
                result.AddError("--unused-days must be from 1 to 3650.");
            }
        });
        var code = new Option<string?>("--code") { Description = "Also build this solution or project folder with the Tessera analyzers (TSA rules) and add their findings to the report." };
        var command = new Command("assess", "Score application registrations against Zero Trust practice.") { input, format, output, failOn, domains, asOf, unusedDays, code };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var file = parse.GetValue(input);
            var (apps, verified, activity, inputText) = file is null
                ? await FromTenantAsync(context.Api(), cancellationToken).ConfigureAwait(false)
                : await FromFileAsync(file, cancellationToken).ConfigureAwait(false);
            var settings = new AssessmentSettings
            {
                Now = parse.GetValue(asOf) ?? context.Time.GetUtcNow(),
                VerifiedDomains = [.. verified, .. parse.GetValue(domains) ?? []],
                Activity = activity,
                UnusedAfter = TimeSpan.FromDays(parse.GetValue(unusedDays)),
            };
            var report = PostureReport.Of(apps, settings);
            var chosen = parse.GetValue(output) is null && context.Printer.Json ? "json" : parse.GetValue(format)!;
            var text = chosen switch
            {
                "json" => ReportFormats.Json(report).ToJsonString(Indented),
                "sarif" => ReportFormats.Sarif(report, file?.Name, inputText).ToJsonString(Indented),
                "markdown" => ReportFormats.Markdown(report),
                "html" => ReportFormats.Html(report),
                _ => null,
            };
            var codeFindings = parse.GetValue(code) is { } codePath ? await CodeAnalysis.RunAsync(codePath, cancellationToken).ConfigureAwait(false) : null;
            if (codeFindings is not null && (text is not null || parse.GetValue(output) is not null))
            {
                text = CodeAnalysis.Merge(chosen, text ?? ReportFormats.Markdown(report), codeFindings, Path.GetFullPath(parse.GetValue(code)!));
            }
            if (parse.GetValue(output) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, text ?? ReportFormats.Markdown(report), cancellationToken).ConfigureAwait(false);
                context.Printer.Line($"Tenant score {report.TenantScore}/100, {report.Apps.Count} applications, {report.Findings.Count()} findings: written to {target.FullName}.");
            }
            else if (text is not null)
            {
                context.Printer.Line(text.TrimEnd());
            }
            else
            {
                PrintTable(context.Printer, report);
                if (codeFindings is not null)
                {
                    context.Printer.Line(CodeAnalysis.Markdown(codeFindings, Path.GetFullPath(parse.GetValue(code)!)).TrimEnd());
                }
            }

            return parse.GetValue(failOn) is { } threshold
                   && (report.Reaches(threshold == "error" ? Severity.Error : Severity.Warning)
                       || codeFindings?.Any(f => f.Level == "error" || (threshold == "warning" && f.Level == "warning")) == true)
                ? ExitCodes.CheckFailed
                : ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintTable(Printer printer, PostureReport report)
    {
        var rows = report.Apps.Select(a => new JsonObject
        {
            ["displayName"] = a.App.DisplayName,
            ["score"] = a.Score.ToString(CultureInfo.InvariantCulture),
            ["errors"] = a.Count(Severity.Error).ToString(CultureInfo.InvariantCulture),
            ["warnings"] = a.Count(Severity.Warning).ToString(CultureInfo.InvariantCulture),
            ["notes"] = a.Count(Severity.Note).ToString(CultureInfo.InvariantCulture),
            ["rules"] = string.Join(' ', a.Findings.Select(f => f.Rule.Id).Distinct()),
        }).ToList();
        printer.Table(rows, Columns, "No applications.");
        printer.Line($"Tenant score {report.TenantScore}/100. --format markdown or html shows each finding with its evidence and remedy.");
    }

    private static async Task<(IReadOnlyList<AppRegistration>, IReadOnlyList<string>, IReadOnlyDictionary<string, AppActivity>?, string?)> FromFileAsync(
        FileInfo file, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(text);
        }
        catch (JsonException invalid)
        {
            throw CommandFailure.Usage(CliErrors.AssessInputUnreadable.With(file.Name, "it is not JSON (" + ServerExchange.OneLine(invalid.Message) + ")."));
        }

        var (apps, error) = RegistrationExports.Read(document);
        return error is null ? (apps, [], null, text) : throw CommandFailure.Usage(CliErrors.AssessInputUnreadable.With(file.Name, error));
    }

    /// <summary>
    /// The signed-in tenant's applications with their owners and federated credentials, its verified domains, and when
    /// each application last got a token (for which APIs) from the sign-in activity report.
    /// </summary>
    private static async Task<(IReadOnlyList<AppRegistration>, IReadOnlyList<string>, IReadOnlyDictionary<string, AppActivity>?, string?)> FromTenantAsync(
        AdminApiClient api, CancellationToken cancellationToken)
    {
        var applications = await api.ListAsync("applications", null, null, cancellationToken).ConfigureAwait(false);
        var expanded = new JsonArray();
        foreach (var application in applications)
        {
            var id = Uri.EscapeDataString(application.Text("id") ?? "");
            var copy = application.DeepClone().AsObject();
            copy["owners"] = new JsonArray([.. await api.ListAsync($"applications/{id}/owners", null, null, cancellationToken).ConfigureAwait(false)]);
            copy["federatedIdentityCredentials"] = new JsonArray([.. await api.ListAsync($"applications/{id}/federatedIdentityCredentials", null, null, cancellationToken).ConfigureAwait(false)]);
            expanded.Add(copy);
        }

        var organization = await api.ListAsync("organization", null, null, cancellationToken).ConfigureAwait(false);
        var domains = organization.SelectMany(o => (o["verifiedDomains"] as JsonArray ?? []).OfType<JsonObject>().Select(d => d.Text("name"))).OfType<string>().ToList();
        var activity = RegistrationExports.ReadActivity(
            await api.ListAsync("reports/servicePrincipalSignInActivities", null, null, cancellationToken).ConfigureAwait(false));
        var (apps, error) = RegistrationExports.Read(expanded);
        return error is null ? (apps, domains, activity, null) : throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With("The admin API's applications", error));
    }
}
