using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera risk</c>: what Identity Protection detected (<c>/identityProtection/riskDetections</c>), such as password sprays.</summary>
internal static class RiskCommands
{
    private const string Path = "identityProtection/riskDetections";

    private static readonly Column[] Columns =
    [
        new("Detected", r => r.Date("detectedDateTime").Display()),
        new("Type", r => r.Text("riskEventType")),
        new("Level", r => r.Text("riskLevel")),
        new("State", r => r.Text("riskState")),
        new("IP", r => r.Text("ipAddress")),
        new("Accounts", r => r.Text("targetedAccountsCount")),
        new("Id", r => r.Text("id")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("risk", "Risky activity Tessera detected, such as password sprays against the sign-in page.")
        {
            ListCommand(runtime),
        };

    private static Command ListCommand(CliRuntime runtime)
    {
        var top = ListOptions.Top("detections (the newest first)");
        var filter = ListOptions.Filter("riskEventType eq 'passwordSpray'");
        var command = new Command("list", "List risk detections, newest first.") { top, filter };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var detections = await context.Api().ListAsync(Path, ListOptions.Query(parse.GetValue(filter)), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. detections]) },
                () => context.Printer.Table(detections, Columns, "No risk detections."));
            return ExitCodes.Ok;
        });
        return command;
    }
}
