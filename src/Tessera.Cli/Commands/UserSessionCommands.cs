using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera user sessions</c>: a user's browser sign-in sessions (<c>/users/{id}/signInSessions</c>).</summary>
internal static class UserSessionCommands
{
    private static readonly Column[] ListColumns =
    [
        new("Id", s => s.Text("id")),
        new("Browser", s => s.Text("browser")),
        new("IP address", s => s.Text("ipAddress")),
        new("Methods", s => string.Join(' ', s.Strings("authenticationMethods"))),
        new("Signed in", s => s.Date("createdDateTime").Display()),
        new("Last active", s => s.Date("lastActivityDateTime").Display()),
        new("Ends", s => s.Date("expirationDateTime").Display()),
    ];

    public static Command Create(CliRuntime runtime)
        => new("sessions", "A user's browser sign-in sessions: list them, end one, or end them all.")
        {
            ListCommand(runtime),
            EndCommand(runtime),
            RevokeCommand(runtime),
        };

    private static Command ListCommand(CliRuntime runtime)
    {
        var user = UserCommands.IdArgument();
        var command = new Command("list", "List the user's sessions that are in force, newest first.") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var id = (await UserCommands.ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false)).Text("id")!;
            var sessions = await api.ListAsync($"users/{Uri.EscapeDataString(id)}/signInSessions", null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. sessions]) },
                () => context.Printer.Table(sessions, ListColumns, "No active sessions."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command EndCommand(CliRuntime runtime)
    {
        var user = UserCommands.IdArgument();
        var session = new Argument<string>("session") { Description = "The session's id, as 'tessera user sessions list' shows it." };
        var command = new Command("end", "End one session: that browser is signed out at its next request.") { user, session };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var sessionId = parse.GetValue(session)!;
            if (!Guid.TryParse(sessionId, out var parsed))
            {
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With($"'{sessionId}' is not a session id (a GUID); 'tessera user sessions list <user>' shows them.", "tessera user sessions end"));
            }

            var api = context.Api();
            var found = await UserCommands.ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var id = found.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"users/{Uri.EscapeDataString(id)}/signInSessions/{parsed:D}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = parsed.ToString("D"), ["ended"] = true },
                () => context.Printer.Line($"Ended session {parsed:D} of '{found.Text("userPrincipalName")}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RevokeCommand(CliRuntime runtime)
    {
        var user = UserCommands.IdArgument();
        var command = new Command("revoke", "End every session of the user and revoke their refresh tokens (as 'tessera user revoke-sessions').") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await UserCommands.ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var id = found.Text("id")!;
            var result = await api.SendAsync(HttpMethod.Post, $"users/{Uri.EscapeDataString(id)}/revokeSignInSessions", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(result ?? new JsonObject { ["value"] = true },
                () => context.Printer.Line($"Ended every session of '{found.Text("userPrincipalName")}' ({id}) and revoked their refresh tokens."));
            return ExitCodes.Ok;
        });
        return command;
    }
}
