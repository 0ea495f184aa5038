using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera keys</c>: the platform's token-signing keys (<c>/signingKeys</c>) and the emergency rollover. Only
/// administrators of the platform's first tenant may use them: the keys sign every tenant's tokens.
/// </summary>
internal static class KeyCommands
{
    private static readonly Column[] Columns =
    [
        new("Key id", k => k.Text("kid")),
        new("Status", k => k.Text("status")),
        new("Signs from", k => k.Date("activateDateTime").Display()),
        new("Signs until", k => k.Date("deactivateDateTime").Display()),
        new("Published until", k => k.Date("retireDateTime").Display()),
    ];

    public static Command Create(CliRuntime runtime)
        => new("keys", "The platform's token-signing keys: list them, or roll over at once after a suspected compromise.")
        {
            ListCommand(runtime),
            RotateCommand(runtime),
        };

    private static Command ListCommand(CliRuntime runtime)
    {
        var command = new Command("list", "List the signing keys: the next (published ahead), the active, and the previous ones still published.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var result = await context.Api().SendAsync(HttpMethod.Get, "signingKeys", null, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(result, () => context.Printer.Table(result.Objects("value"), Columns, "No signing keys."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RotateCommand(CliRuntime runtime)
    {
        var now = new Option<bool>("--now") { Description = "Required: a new key signs from now on. Scheduled rotation needs no command." };
        var retire = TimeArguments.Instant("--retire-previous-at",
            "Until when tokens signed by the previous keys stay valid: a date, or a time from now such as 1h; 'now' to stop at once. Default: until they expire.",
            runtime.Time);
        var command = new Command("rotate", "Emergency rollover: a new signing key signs from now on; the previous keys stay published until the moment given.") { now, retire };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // A flag has a default, so the parser cannot require it: a rollover is never made without saying so.
            if (!parse.GetValue(now))
            {
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With(
                    "An emergency rollover needs --now; keys rotate on their schedule without any command.", "tessera keys rotate"));
            }

            var context = runtime.For(parse);
            var body = new JsonObject();
            if (parse.GetValue(retire) is { } moment)
            {
                body["retirePreviousAt"] = moment.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            }

            var result = await context.Api().SendAsync(HttpMethod.Post, "signingKeys/rotate", body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(result, () =>
            {
                var active = result["active"];
                context.Printer.Line($"Key {active.Text("kid")} signs from now on (other nodes take it up on their next key refresh).");
                foreach (var previous in result.Objects("previous"))
                {
                    context.Printer.Line($"Key {previous.Text("kid")} no longer signs; its tokens stay valid until {previous.Date("retireDateTime").Display()}.");
                }
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
