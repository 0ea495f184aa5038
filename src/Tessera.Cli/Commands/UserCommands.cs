using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera user</c>: the tenant's people (<c>/users</c>).</summary>
internal static class UserCommands
{
    private static readonly Column[] ListColumns =
    [
        new("Display name", u => u.Text("displayName")),
        new("User principal name", u => u.Text("userPrincipalName")),
        new("Id", u => u.Text("id")),
        new("Enabled", u => u.Flag("accountEnabled") is { } enabled ? (enabled ? "yes" : "no") : null),
    ];

    public static Command Create(CliRuntime runtime)
        => new("user", "The tenant's users: create, list, show, update, delete, list and end their sessions.")
        {
            CreateCommand(runtime),
            ListCommand(runtime),
            ShowCommand(runtime),
            UpdateCommand(runtime),
            DeleteCommand(runtime),
            RevokeSessionsCommand(runtime),
            UserSessionCommands.Create(runtime),
        };

    /// <summary>A user by object id or user principal name; none found is the server's refusal (exit 3).</summary>
    public static async Task<JsonObject> ResolveAsync(AdminApiClient api, string idOrName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrName);
        if (Guid.TryParse(idOrName, out var id))
        {
            return await api.FindAsync($"users/{id:D}", cancellationToken).ConfigureAwait(false)
                   ?? throw CommandFailure.Refused(CliErrors.NotFound.With("user", idOrName));
        }

        // Graph takes a user principal name in place of the id; a server that does not is asked with $filter.
        if (await api.FindAsync($"users/{Uri.EscapeDataString(idOrName)}", cancellationToken).ConfigureAwait(false) is { } byName)
        {
            return byName;
        }

        var matches = await api.ListAsync("users", ListOptions.Query($"userPrincipalName eq {AdminApiClient.Literal(idOrName)}"), null, cancellationToken).ConfigureAwait(false);
        return matches.Count == 1 ? matches[0] : throw CommandFailure.Refused(CliErrors.NotFound.With("user", idOrName));
    }

    public static Argument<string> IdArgument() => new("user") { Description = "The user's object id or user principal name." };

    private static Command CreateCommand(CliRuntime runtime)
    {
        var displayName = new Option<string>("--display-name") { Description = "The user's name as people see it.", Required = true, HelpName = "name" };
        var upn = new Option<string>("--upn") { Description = "The user principal name (sign-in name), e.g. ada@contoso.example.", Required = true, HelpName = "name" };
        var passwordVariable = new Option<string?>("--password-env") { Description = "An environment variable holding the first password.", HelpName = "VAR" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the first password from standard input." };
        var disabled = new Option<bool>("--disabled") { Description = "Create the account disabled." };
        var command = new Command("create", "Create a user. Without --password-env or --password-stdin a strong password is made and printed once.")
        {
            displayName, upn, passwordVariable, passwordStdin, disabled,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            string? password = null;
            if (parse.GetValue(passwordVariable) is { Length: > 0 } variable)
            {
                password = Environment.GetEnvironmentVariable(variable)
                           ?? throw CommandFailure.Usage(CliErrors.InvalidArguments.With($"The environment variable '{variable}' is not set.", "tessera user create"));
            }
            else if (parse.GetValue(passwordStdin))
            {
                password = (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.TrimEnd('\r', '\n');
            }

            var generated = string.IsNullOrEmpty(password);
            password = generated ? NewPassword() : password;
            var body = new JsonObject
            {
                ["accountEnabled"] = !parse.GetValue(disabled),
                ["displayName"] = parse.GetValue(displayName),
                ["userPrincipalName"] = parse.GetValue(upn),
                ["passwordProfile"] = new JsonObject { ["password"] = password },
            };
            var user = await context.Api().SendAsync(HttpMethod.Post, "users", body, cancellationToken).ConfigureAwait(false) ?? [];
            const string Warning = "The password was made for this user and will not be shown again: give it to them safely.";
            if (context.Printer.Json)
            {
                // Scripts read the made password from the JSON; the warning goes where it cannot spoil it.
                var output = (JsonObject)user.DeepClone();
                if (generated)
                {
                    output["generatedPassword"] = password;
                    context.Printer.Notice(Warning);
                }

                context.Printer.WriteJson(output);
            }
            else
            {
                Show(context.Printer, user);
                if (generated)
                {
                    context.Printer.Line($"Password: {password}");
                    context.Printer.Line(Warning);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListCommand(CliRuntime runtime)
    {
        var filter = ListOptions.Filter("startswith(displayName,'Ada')");
        var top = ListOptions.Top("users");
        var command = new Command("list", "List the tenant's users.") { filter, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var users = await context.Api().ListAsync("users", ListOptions.Query(parse.GetValue(filter)), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. users]) },
                () => context.Printer.Table(users, ListColumns, "No users."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowCommand(CliRuntime runtime)
    {
        var user = IdArgument();
        var command = new Command("show", "Show a user.") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var found = await ResolveAsync(context.Api(), parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(found, () => Show(context.Printer, found));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UpdateCommand(CliRuntime runtime)
    {
        var user = IdArgument();
        var enabled = new Option<bool?>("--enabled") { Description = "true to let the user sign in, false to block sign-in.", HelpName = "true|false" };
        var displayName = new Option<string?>("--display-name") { Description = "A new display name.", HelpName = "name" };
        var command = new Command("update", "Change a user: enable or disable the account, rename it.") { user, enabled, displayName };
        command.Validators.Add(result =>
        {
            if (result.GetResult(enabled) is null && result.GetResult(displayName) is null)
            {
                result.AddError("Say what to change: --enabled true|false and/or --display-name <name>.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject();
            if (parse.GetValue(enabled) is { } isEnabled)
            {
                body["accountEnabled"] = isEnabled;
            }

            if (parse.GetValue(displayName) is { } name)
            {
                body["displayName"] = name;
            }

            var id = found.Text("id")!;
            await api.SendAsync(HttpMethod.Patch, $"users/{Uri.EscapeDataString(id)}", body, cancellationToken, found.Text("@odata.etag")).ConfigureAwait(false);
            var updated = await ResolveAsync(api, id, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(updated, () => Show(context.Printer, updated));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DeleteCommand(CliRuntime runtime)
    {
        var user = IdArgument();
        var command = new Command("delete", "Delete a user.") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var id = found.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"users/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = id, ["deleted"] = true },
                () => context.Printer.Line($"Deleted user '{found.Text("userPrincipalName")}' ({id})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RevokeSessionsCommand(CliRuntime runtime)
    {
        var user = IdArgument();
        var command = new Command("revoke-sessions", "Sign a user out everywhere: revoke their refresh tokens and sessions.") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var id = found.Text("id")!;
            var result = await api.SendAsync(HttpMethod.Post, $"users/{Uri.EscapeDataString(id)}/revokeSignInSessions", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(result ?? new JsonObject { ["value"] = true },
                () => context.Printer.Line($"Revoked the sessions of '{found.Text("userPrincipalName")}' ({id})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Show(Printer printer, JsonObject user)
        => printer.Details(
        [
            ("Display name", user.Text("displayName")),
            ("User principal name", user.Text("userPrincipalName")),
            ("Id", user.Text("id")),
            ("Enabled", user.Flag("accountEnabled") is { } enabled ? (enabled ? "yes" : "no") : null),
            ("Created", user.Date("createdDateTime").Display()),
        ]);

    /// <summary>A first password of 20 characters with every class, from the system's cryptographic generator.</summary>
    private static string NewPassword()
    {
        const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", Lower = "abcdefghijkmnopqrstuvwxyz", Digits = "23456789", Symbols = "!#%+-.:=?@_";
        var characters = new[]
        {
            RandomNumberGenerator.GetString(Upper, 1), RandomNumberGenerator.GetString(Lower, 1),
            RandomNumberGenerator.GetString(Digits, 1), RandomNumberGenerator.GetString(Symbols, 1),
            RandomNumberGenerator.GetString(Upper + Lower + Digits + Symbols, 16),
        };
        var password = string.Concat(characters).ToCharArray();
        RandomNumberGenerator.Shuffle(password.AsSpan());
        return new string(password);
    }
}
