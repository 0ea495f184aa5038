using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera app credential</c>: an application's client secrets (made by the server, shown once) and certificates,
/// with the days each has left so that expiring ones are replaced before they lapse.
/// </summary>
internal static class AppCredentialCommands
{
    private static readonly Column[] ListColumns =
    [
        new("Type", c => c.Text("type") == "AsymmetricX509Cert" ? "certificate" : "secret"),
        new("Key id", c => c.Text("keyId")),
        new("Display name", c => c.Text("displayName")),
        new("Hint / thumbprint", c => c.Text("hint") ?? c.Text("customKeyIdentifier")),
        new("Starts", c => c.Date("startDateTime").Display()),
        new("Ends", c => c.Date("endDateTime").Display()),
        new("Days left", c => c.Text("daysLeft") is { } days && int.Parse(days, CultureInfo.InvariantCulture) < 0 ? "expired" : c.Text("daysLeft")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("credential", "An application's client secrets and certificates.")
        {
            AddCommand(runtime),
            AddCertificateCommand(runtime),
            RemoveCommand(runtime),
            ListCommand(runtime),
        };

    private static Command AddCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var displayName = new Option<string?>("--display-name") { Description = "A name that says what the secret is for.", HelpName = "name" };
        var end = TimeArguments.Instant("--end", "When the secret expires: a date, or a time from now such as 90d (the server caps it).", runtime.Time);
        var command = new Command("add", "Add a client secret made by the server. It is printed once and cannot be read again.") { id, displayName, end };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var request = new JsonObject { ["displayName"] = parse.GetValue(displayName) };
            if (parse.GetValue(end) is { } endDate)
            {
                request["endDateTime"] = endDate.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            }

            var credential = await api.SendAsync(HttpMethod.Post, $"applications/{app.Text("id")}/addPassword",
                new JsonObject { ["passwordCredential"] = request }, cancellationToken).ConfigureAwait(false) ?? [];
            const string Warning = "Copy the secret now: it is not stored anywhere and will not be shown again.";
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(credential);
                context.Printer.Notice(Warning);
            }
            else
            {
                context.Printer.Details(
                [
                    ("Secret", credential.Text("secretText")),
                    ("Key id", credential.Text("keyId")),
                    ("Hint", credential.Text("hint")),
                    ("Expires", credential.Date("endDateTime").Display()),
                ]);
                context.Printer.Line(Warning);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AddCertificateCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var path = new Option<FileInfo>("--certificate")
        {
            Description = "The public certificate (PEM or DER); its private key stays with the application.", Required = true, HelpName = "file",
        };
        var displayName = new Option<string?>("--display-name") { Description = "A name that says what the certificate is for.", HelpName = "name" };
        var command = new Command("add-certificate",
            "Add a certificate beside the application's others (rotation with overlap: add the new one, move the clients, remove the old one).")
        {
            id, path, displayName,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var file = parse.GetValue(path)!;
            byte[] der;
            try
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(file.FullName);
                der = certificate.RawData;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With($"'{file.FullName}' is not a readable certificate (PEM or DER): {exception.Message}", "tessera app credential add-certificate"));
            }

            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            // Graph replaces keyCredentials as a whole: every certificate already there is kept, guarded by the ETag just read.
            var keys = new JsonArray([.. app.Objects("keyCredentials").Select(k => (JsonNode?)new JsonObject { ["keyId"] = k.Text("keyId") })]);
            keys.Add(new JsonObject
            {
                ["type"] = "AsymmetricX509Cert", ["usage"] = "Verify", ["key"] = Convert.ToBase64String(der), ["displayName"] = parse.GetValue(displayName),
            });
            await api.SendAsync(HttpMethod.Patch, $"applications/{app.Text("id")}", new JsonObject { ["keyCredentials"] = keys },
                cancellationToken, app.Text("@odata.etag")).ConfigureAwait(false);
            var after = await AppCommands.ResolveAsync(api, app.Text("id")!, cancellationToken).ConfigureAwait(false);
            var added = after.Objects("keyCredentials").Last(k => !app.Objects("keyCredentials").Any(o => o.Text("keyId") == k.Text("keyId")));
            context.Printer.Result(WithDaysLeft(added, context.Time.GetUtcNow()),
                () => context.Printer.Line($"Added certificate {added.Text("keyId")} to '{app.Text("displayName")}'; it ends {added.Date("endDateTime").Display()}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RemoveCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var keyId = new Option<Guid>("--key-id") { Description = "The key id of the secret or certificate to remove.", Required = true, HelpName = "id" };
        var command = new Command("remove", "Remove a client secret or a certificate.") { id, keyId };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var key = parse.GetValue(keyId).ToString("D");
            var objectId = app.Text("id")!;
            string kind;
            if (app.Objects("keyCredentials").Any(k => string.Equals(k.Text("keyId"), key, StringComparison.OrdinalIgnoreCase)))
            {
                // Graph replaces keyCredentials as a whole: keep every other certificate, guarded by the ETag just read.
                var keep = app.Objects("keyCredentials").Where(k => !string.Equals(k.Text("keyId"), key, StringComparison.OrdinalIgnoreCase))
                    .Select(k => (JsonNode?)new JsonObject { ["keyId"] = k.Text("keyId") });
                await api.SendAsync(HttpMethod.Patch, $"applications/{objectId}", new JsonObject { ["keyCredentials"] = new JsonArray([.. keep]) },
                    cancellationToken, app.Text("@odata.etag")).ConfigureAwait(false);
                kind = "certificate";
            }
            else
            {
                // Secrets the listing does not show (one added a moment ago) are still the server's to find or refuse.
                await api.SendAsync(HttpMethod.Post, $"applications/{objectId}/removePassword", new JsonObject { ["keyId"] = key }, cancellationToken).ConfigureAwait(false);
                kind = "secret";
            }

            context.Printer.Result(new JsonObject { ["id"] = objectId, ["keyId"] = key, ["type"] = kind, ["removed"] = true },
                () => context.Printer.Line($"Removed {kind} {key} from '{app.Text("displayName")}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static readonly Column[] TenantColumns =
    [
        new("Application", c => c.Text("applicationDisplayName")),
        new("App id", c => c.Text("appId")),
        new("Type", c => c.Text("credentialType")),
        new("Key id", c => c.Text("keyId")),
        new("Display name", c => c.Text("displayName")),
        new("Ends", c => c.Date("endDateTime").Display()),
        new("Days left", c => c.Text("expired") == "true" ? "expired" : c.Text("daysLeft")),
    ];

    private static Command ListCommand(CliRuntime runtime)
    {
        var id = new Argument<string?>("id")
        {
            Description = "The application's object id or app (client) id. Without it: the expiring credentials of every application you may read.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var expiring = TimeArguments.Window("--expiring", "Show only credentials that end within this window from now, or have ended (e.g. 30d).");
        var command = new Command("list", "List an application's secrets and certificates with the days each has left, or the tenant's expiring ones.") { id, expiring };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var window = parse.GetValue(expiring);
            if (parse.GetValue(id) is not { } idOrAppId)
            {
                return await ListTenantAsync(context, window, cancellationToken).ConfigureAwait(false);
            }

            var app = await AppCommands.ResolveAsync(context.Api(), idOrAppId, cancellationToken).ConfigureAwait(false);
            var now = context.Time.GetUtcNow();
            JsonArray Select(string kind) => new([.. app.Objects(kind)
                .Select(c => WithDaysLeft(c, now))
                .Where(c => window is null || c.Date("endDateTime") is not { } end || end <= now + window.Value)
                .OrderBy(c => c.Date("endDateTime"))]);

            var passwords = Select("passwordCredentials");
            var keys = Select("keyCredentials");
            context.Printer.Result(new JsonObject { ["passwordCredentials"] = passwords, ["keyCredentials"] = keys }, () =>
            {
                var rows = passwords.Concat(keys).OfType<JsonObject>().OrderBy(c => c.Date("endDateTime"));
                context.Printer.Table(rows, ListColumns, window is null ? "No credentials." : "No credentials end within that window.");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Every application's credentials ending within the window (30 days unless given), from the server's query.</summary>
    private static async Task<int> ListTenantAsync(CommandContext context, TimeSpan? window, CancellationToken cancellationToken)
    {
        var days = window is { } w ? Math.Max(1, (int)Math.Ceiling(w.TotalDays)) : 30;
        var result = await context.Api().SendAsync(HttpMethod.Get, $"applications/expiringCredentials?withinDays={days.ToString(CultureInfo.InvariantCulture)}",
            null, cancellationToken).ConfigureAwait(false) ?? [];
        context.Printer.Result(result, () =>
            context.Printer.Table(result.Objects("value"), TenantColumns, $"No credential of any application ends within {days} days."));
        return ExitCodes.Ok;
    }

    /// <summary>The credential with <c>daysLeft</c>: whole days until it ends, negative once it has.</summary>
    private static JsonObject WithDaysLeft(JsonObject credential, DateTimeOffset now)
    {
        var copy = (JsonObject)credential.DeepClone();
        copy["type"] ??= "Password";
        if (credential.Date("endDateTime") is { } end)
        {
            copy["daysLeft"] = (int)Math.Floor((end - now).TotalDays);
        }

        return copy;
    }
}
