using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera risk</c>: what Identity Protection detected (<c>/identityProtection/riskDetections</c>), such as password
/// sprays, and the risk of users (<c>/identityProtection/riskyUsers</c>), which an administrator confirms or dismisses.
/// </summary>
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

    private const string UsersPath = "identityProtection/riskyUsers";

    private static readonly Column[] UserColumns =
    [
        new("User", r => r.Text("userPrincipalName")),
        new("Level", r => r.Text("riskLevel")),
        new("State", r => r.Text("riskState")),
        new("Detail", r => r.Text("riskDetail")),
        new("Updated", r => r.Date("riskLastUpdatedDateTime").Display()),
        new("Id", r => r.Text("id")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("risk", "Risky activity Tessera detected, such as password sprays against the sign-in page, and the risk of users.")
        {
            ListCommand(runtime),
            UsersCommand(runtime),
            UserActionCommand(runtime, "confirm-compromised", "confirmCompromised",
                "Confirm that users are compromised: their user risk becomes high, for Conditional Access policies with user risk conditions.",
                "Confirmed compromised"),
            UserActionCommand(runtime, "dismiss", "dismiss", "Dismiss every risk of the users: their user risk becomes none.", "Dismissed the risk of"),
        };

    private static Command UsersCommand(CliRuntime runtime)
    {
        var command = new Command("users", "List the users with risk, highest first.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var users = await context.Api().ListAsync(UsersPath, null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. users]) },
                () => context.Printer.Table(users, UserColumns, "No users with risk."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UserActionCommand(CliRuntime runtime, string name, string action, string description, string done)
    {
        var users = new Argument<string[]>("users") { Description = "The users: object ids or user principal names.", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { users };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var resolved = new List<JsonObject>();
            foreach (var user in parse.GetValue(users)!)
            {
                resolved.Add(await UserCommands.ResolveAsync(api, user, cancellationToken).ConfigureAwait(false));
            }

            var body = new JsonObject { ["userIds"] = new JsonArray([.. resolved.Select(u => (JsonNode?)u.Text("id"))]) };
            await api.SendAsync(HttpMethod.Post, $"{UsersPath}/{action}", body, cancellationToken).ConfigureAwait(false);
            var names = resolved.Select(u => u.Text("userPrincipalName")).ToList();
            context.Printer.Result(new JsonObject { ["userIds"] = body["userIds"]!.DeepClone(), ["action"] = action },
                () => context.Printer.Line($"{done} {string.Join(", ", names.Select(n => $"'{n}'"))}."));
            return ExitCodes.Ok;
        });
        return command;
    }

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
