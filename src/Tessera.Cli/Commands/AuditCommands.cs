using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Audit;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;
using Tessera.Policy.Audit;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera audit</c>: the tenant's tamper-evident change log (<c>/auditLogs/directoryAudits</c>). <c>verify</c>
/// recomputes the hash chain here with the server's own chain code, trusting nothing the server concludes.
/// <c>signins</c> reads the sign-in log (<c>/auditLogs/signIns</c>).
/// </summary>
internal static class AuditCommands
{
    private const string Path = "auditLogs/directoryAudits";
    private const string SignInsPath = "auditLogs/signIns";

    /// <summary>The sign-in log only grows: without <c>--top</c>, one page of the newest.</summary>
    private const int DefaultSignIns = 100;

    private static readonly Column[] ListColumns =
    [
        new("#", e => e.Text("sequence")),
        new("Time", e => e.Date("activityDateTime").Display()),
        new("Category", e => e.Text("category")),
        new("Activity", e => e.Text("activityDisplayName")),
        new("Initiated by", e => e["initiatedBy"]?["app"].Text("displayName") ?? e["initiatedBy"]?["user"].Text("displayName")),
        new("Target", e => e.Objects("targetResources").Select(t => t.Text("displayName") ?? t.Text("id")).FirstOrDefault()),
        new("Result", e => e.Text("result")),
    ];

    private static readonly Column[] SignInColumns =
    [
        new("Time", e => e.Date("createdDateTime").Display()),
        new("User", e => e.Text("userPrincipalName") ?? (e.Strings("signInEventTypes").Contains("servicePrincipal") ? "(application)" : null)),
        new("App", e => e.Text("appDisplayName") ?? e.Text("appId")),
        new("Result", e => e["status"].Text("errorCode") is { } code && code != "0" ? $"Failure {code}" : "Success"),
        new("Reason", e => e["status"].Text("failureReason")),
        new("IP", e => e.Text("ipAddress")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("audit", "The tenant's audit log: list entries and verify the hash chain that makes it tamper-evident.")
        {
            ListCommand(runtime),
            VerifyCommand(runtime),
            SignInsCommand(runtime),
        };

    private static Command ListCommand(CliRuntime runtime)
    {
        var top = ListOptions.Top("entries (the oldest first)");
        var activity = new Option<string?>("--activity") { Description = "Only entries of this activity (e.g. \"Add application\").", HelpName = "name" };
        var command = new Command("list", "List audit entries, oldest first.") { top, activity };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var filter = parse.GetValue(activity) is { } name ? $"activityDisplayName eq {AdminApiClient.Literal(name)}" : null;
            var entries = await context.Api().ListAsync(Path, ListOptions.Query(filter), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. entries]) },
                () => context.Printer.Table(entries, ListColumns, "No audit entries."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SignInsCommand(CliRuntime runtime)
    {
        var top = ListOptions.Top("sign-ins");
        top.Description = $"Show the newest N sign-ins (1-999; {DefaultSignIns} unless given).";
        var user = new Option<string?>("--user") { Description = "Only sign-ins of this user name (as typed, for names that match nobody).", HelpName = "upn" };
        var app = new Option<string?>("--app") { Description = "Only sign-ins to this application (its app id).", HelpName = "appId" };
        var failures = new Option<bool>("--failures") { Description = "Only failed sign-ins." };
        var errorCode = new Option<int?>("--error-code") { Description = "Only sign-ins that ended with this status code (0 success, 50126 bad user name or password, 50053 locked...).", HelpName = "code" };
        var since = Since(runtime.Time, "--since", "Only sign-ins at or after this time: a date (2026-11-01, or ISO 8601) or a time back from now (24h, 7d).");
        var until = Since(runtime.Time, "--until", "Only sign-ins before this time: a date or a time back from now.");
        var command = new Command("signins", "List sign-ins (people and applications, successful or not), newest first.")
        {
            top, user, app, failures, errorCode, since, until,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            string?[] conditions =
            [
                parse.GetValue(user) is { } upn ? $"userPrincipalName eq {AdminApiClient.Literal(upn)}" : null,
                parse.GetValue(app) is { } appId ? $"appId eq {AdminApiClient.Literal(appId)}" : null,
                parse.GetValue(failures) ? "result eq 'failure'" : null,
                parse.GetValue(errorCode) is { } code ? string.Create(CultureInfo.InvariantCulture, $"status/errorCode eq {code}") : null,
                parse.GetValue(since) is { } from ? $"createdDateTime ge {ODataDate(from)}" : null,
                parse.GetValue(until) is { } to ? $"createdDateTime lt {ODataDate(to)}" : null,
            ];
            var filter = string.Join(" and ", conditions.OfType<string>());
            var signIns = await context.Api().ListAsync(SignInsPath, ListOptions.Query(filter.Length == 0 ? null : filter),
                parse.GetValue(top) ?? DefaultSignIns, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. signIns]) },
                () => context.Printer.Table(signIns, SignInColumns, "No sign-ins."));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>An instant typed as a date or as a time back from now (<c>24h</c>, <c>7d</c>).</summary>
    private static Option<DateTimeOffset?> Since(TimeProvider time, string name, string description) => new(name)
    {
        Description = description,
        HelpName = "date",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (TimeArguments.TryParseWindow(text, out var window))
            {
                return time.GetUtcNow() - window;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            {
                return date;
            }

            result.AddError($"{name} takes a date (2026-11-01, or ISO 8601) or a time back from now (24h, 7d), not '{text}'.");
            return null;
        },
    };

    private static string ODataDate(DateTimeOffset instant) => instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Command VerifyCommand(CliRuntime runtime)
    {
        var command = new Command("verify",
            "Fetch every entry and recompute the hash chain on this machine. Exit code 1 if any entry was changed, removed or reordered.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var tenant = context.RequireSession().TenantId;
            var entries = await context.Api().ListAsync(Path, null, null, cancellationToken).ConfigureAwait(false);
            var result = Verify(new AuditCheckpoints(context.Sessions), tenant, entries, context.Time.GetUtcNow());

            context.Printer.Result(new JsonObject
            {
                ["intact"] = result.Intact,
                ["checked"] = result.Checked,
                ["firstBrokenSequence"] = result.FirstBrokenSequence,
                ["reason"] = result.Reason,
            }, () => context.Printer.Line(result.Intact
                ? $"Audit chain intact: {entries.Count} entries"
                : $"Audit chain broken at entry {result.FirstBrokenSequence}: {result.Reason}"));
            return result.Intact ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static AuditVerification Verify(AuditCheckpoints checkpoints, Guid tenant, List<JsonObject> entries, DateTimeOffset now)
    {
        var links = new List<AuditLink>(entries.Count);
        foreach (var entry in entries)
        {
            try
            {
                links.Add(AuditEntries.ToLink(entry, tenant));
            }
            catch (FormatException problem)
            {
                // An entry that cannot be read cannot be vouched for: the chain is broken there.
                var at = long.TryParse(entry.Text("sequence"), out var sequence) ? sequence : links.Count + 1;
                return new AuditVerification(false, links.Count + 1, at, problem.Message);
            }
        }

        var result = AuditChain.Verify(links);
        if (!result.Intact)
        {
            return result;
        }

        if (checkpoints.Contradiction(tenant, links) is { } contradiction)
        {
            return contradiction;
        }

        checkpoints.Remember(tenant, links, now);
        return result;
    }
}
