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
/// (through the admin API) or offline from exports (<c>--input</c>: Microsoft Graph applications with its service
/// principals and delegated permission grants, or a Keycloak realm).
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
        var input = new Option<FileInfo[]>("--input")
        {
            Description = "Assess exports instead of the signed-in tenant (repeatable): Microsoft Graph applications (GET /v1.0/applications, az ad app list) or a Keycloak realm export, " +
                          "with Graph's servicePrincipals and oauth2PermissionGrants exports (read from beside NAMEapplications.json as NAMEservicePrincipals.json and NAMEoauth2PermissionGrants.json when not given).",
        };
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
            var files = parse.GetValue(input) ?? [];
            var (apps, verified, activity, inputs) = files.Length == 0
                ? await FromTenantAsync(context.Api(), cancellationToken).ConfigureAwait(false)
                : await FromFilesAsync(files, cancellationToken).ConfigureAwait(false);
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
                "sarif" => ReportFormats.Sarif(report, [.. inputs.Select(i => (i.Name, i.Text))]).ToJsonString(Indented),
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

    /// <summary>
    /// The registrations of the exports given, with the service principals and delegated permission grants exports
    /// among them or beside the applications export: for <c>NAMEapplications.json</c>, <c>NAMEservicePrincipals.json</c>
    /// and <c>NAMEoauth2PermissionGrants.json</c> in the same folder, unless an export of that kind was given.
    /// </summary>
    private static async Task<(IReadOnlyList<AppRegistration>, IReadOnlyList<string>, IReadOnlyDictionary<string, AppActivity>?, IReadOnlyList<AssessedFile>)> FromFilesAsync(
        IReadOnlyList<FileInfo> files, CancellationToken cancellationToken)
    {
        var inputs = new List<AssessedFile>();
        foreach (var file in files)
        {
            inputs.Add(await ReadAsync(file, cancellationToken).ConfigureAwait(false));
        }

        AssessedFile? OneOf(ExportKind kind)
        {
            var ofKind = inputs.Where(i => i.Kind == kind).ToList();
            return ofKind.Count <= 1
                ? ofKind.SingleOrDefault()
                : throw CommandFailure.Usage(CliErrors.AssessInputRepeated.With(ofKind[0].Name, ofKind[1].Name, KindName(kind)));
        }

        var registrations = OneOf(ExportKind.Registrations)
                            ?? throw CommandFailure.Usage(CliErrors.AssessNoRegistrations.With(string.Join(", ", inputs.Select(i => $"'{i.Name}'"))));
        const string Suffix = "applications.json";
        var prefix = registrations.Name.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) ? registrations.Name[..^Suffix.Length] : null;
        foreach (var (kind, name) in new[] { (ExportKind.ServicePrincipals, "servicePrincipals.json"), (ExportKind.PermissionGrants, "oauth2PermissionGrants.json") })
        {
            var beside = prefix is null ? null : new FileInfo(Path.Combine(registrations.File.DirectoryName ?? ".", prefix + name));
            if (beside is { Exists: true } && OneOf(kind) is null && inputs.All(i => i.File.FullName != beside.FullName))
            {
                inputs.Add(await ReadAsync(beside, cancellationToken).ConfigureAwait(false));
            }
        }

        var (apps, error) = RegistrationExports.Read(registrations.Document);
        if (error is not null)
        {
            throw CommandFailure.Usage(CliErrors.AssessInputUnreadable.With(registrations.Name, error));
        }

        var principals = OneOf(ExportKind.ServicePrincipals);
        var grants = OneOf(ExportKind.PermissionGrants);
        if (principals is null)
        {
            return grants is null
                ? (apps, [], null, inputs)
                : throw CommandFailure.Usage(CliErrors.AssessGrantsWithoutServicePrincipals.With(grants.Name, (prefix ?? "") + "servicePrincipals.json"));
        }

        if (registrations.Document is JsonObject realm && realm["realm"] is not null)
        {
            throw CommandFailure.Usage(CliErrors.AssessServicePrincipalsWithKeycloak.With(registrations.Name));
        }

        var (principalItems, principalError) = RegistrationExports.ReadServicePrincipals(principals.Document);
        if (principalError is not null)
        {
            throw CommandFailure.Usage(CliErrors.AssessInputUnreadable.With(principals.Name, principalError));
        }

        var (grantItems, grantError) = grants is null ? ([], null) : RegistrationExports.ReadPermissionGrants(grants.Document);
        var (combined, combineError) = grantError is null ? RegistrationExports.WithServicePrincipals(apps, principalItems, grantItems) : ([], grantError);
        return combineError is null ? (combined, [], null, inputs) : throw CommandFailure.Usage(CliErrors.AssessInputUnreadable.With(grants!.Name, combineError));
    }

    private static async Task<AssessedFile> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        try
        {
            var document = JsonNode.Parse(text);
            return new AssessedFile(file, text, document, RegistrationExports.KindOf(document));
        }
        catch (JsonException invalid)
        {
            throw CommandFailure.Usage(CliErrors.AssessInputUnreadable.With(file.Name, "it is not JSON (" + ServerExchange.OneLine(invalid.Message) + ")."));
        }
    }

    private static string KindName(ExportKind kind) => kind switch
    {
        ExportKind.ServicePrincipals => "servicePrincipals",
        ExportKind.PermissionGrants => "oauth2PermissionGrants",
        _ => "applications",
    };

    /// <summary>
    /// The signed-in tenant's applications with their owners and federated credentials, its verified domains, when
    /// each application last got a token (for which APIs) from the sign-in activity report, and its service principals
    /// with the consents people gave for themselves.
    /// </summary>
    private static async Task<(IReadOnlyList<AppRegistration>, IReadOnlyList<string>, IReadOnlyDictionary<string, AppActivity>?, IReadOnlyList<AssessedFile>)> FromTenantAsync(
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
        var principals = await api.ListAsync("servicePrincipals", null, null, cancellationToken).ConfigureAwait(false);
        var consents = await api.ListAsync("oauth2PermissionGrants", ListOptions.Query("consentType eq 'Principal'"), null, cancellationToken).ConfigureAwait(false);
        var (registered, error) = RegistrationExports.Read(expanded);
        var (apps, combineError) = error is null ? RegistrationExports.WithServicePrincipals(registered, principals, consents) : ([], error);
        return combineError is null ? (apps, domains, activity, []) : throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With("The admin API's applications", combineError));
    }

    /// <summary>An export read from a file: what kind it is, and its text for SARIF's line numbers.</summary>
    private sealed record AssessedFile(FileInfo File, string Text, JsonNode? Document, ExportKind Kind)
    {
        public string Name => File.Name;
    }
}
