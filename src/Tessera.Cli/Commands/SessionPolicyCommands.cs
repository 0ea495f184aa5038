using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera policy sessions</c>: how long the tenant's browser sign-in sessions last (<c>/policies/sessionPolicy</c>).</summary>
internal static class SessionPolicyCommands
{
    private static readonly TenantPolicyResource Policy = new("policies/sessionPolicy", Show);

    public static Command Create(CliRuntime runtime)
        => new("sessions", "How long browser sign-in sessions last: idle and absolute timeouts.")
        {
            Policy.ShowCommand(runtime, "Show the session policy."),
            SetCommand(runtime),
        };

    private static Command SetCommand(CliRuntime runtime)
    {
        var idle = new Option<string?>("--idle-timeout")
        {
            Description = "End a session unused this long: an ISO 8601 duration from PT5M to PT24H, or 'default' for the server's.",
            HelpName = "duration",
        };
        var absolute = new Option<string?>("--absolute-timeout")
        {
            Description = "End every session this long after sign-in: an ISO 8601 duration from PT15M to P30D, or 'default' for the server's.",
            HelpName = "duration",
        };
        var command = new Command("set", "Change the session timeouts; sessions already open follow the new values.") { idle, absolute };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var body = new JsonObject();
            foreach (var (option, name) in new[] { (idle, "idleTimeout"), (absolute, "absoluteTimeout") })
            {
                if (parse.GetValue(option) is { } value)
                {
                    body[name] = value.Equals("default", StringComparison.OrdinalIgnoreCase) ? null : value;
                }
            }

            if (body.Count == 0)
            {
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With("Give --idle-timeout, --absolute-timeout or both.", "tessera policy sessions set"));
            }

            var api = context.Api();
            return await Policy.ChangeAsync(context, api, body, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static void Show(Printer printer, JsonObject policy)
        => printer.Details(
        [
            ("Policy", policy.Text("displayName")),
            ("Idle timeout", $"{policy.Text("effectiveIdleTimeout")}{(policy.Text("idleTimeout") is null ? " (server default)" : string.Empty)}"),
            ("Absolute timeout", $"{policy.Text("effectiveAbsoluteTimeout")}{(policy.Text("absoluteTimeout") is null ? " (server default)" : string.Empty)}"),
        ]);
}
