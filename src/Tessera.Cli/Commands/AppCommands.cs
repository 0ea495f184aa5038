using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera app</c>: application registrations (<c>/applications</c>).</summary>
internal static class AppCommands
{
    private static readonly Column[] ListColumns =
    [
        new("Display name", a => a.Text("displayName")),
        new("App (client) id", a => a.Text("appId")),
        new("Object id", a => a.Text("id")),
        new("Created", a => a.Date("createdDateTime").Display()),
        new("Secrets", a => a.Objects("passwordCredentials").Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Certificates", a => a.Objects("keyCredentials").Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public static Command Create(CliRuntime runtime)
        => new("app", "Application registrations: create, list, show, delete, and their credentials.")
        {
            CreateCommand(runtime),
            ListCommand(runtime),
            ShowCommand(runtime),
            DeleteCommand(runtime),
            AppCredentialCommands.Create(runtime),
            AppFederatedCommands.Create(runtime),
            AppUpdateCommand.Create(runtime),
            AppPublisherCommands.Create(runtime),
        };

    /// <summary>An application by object id or app (client) id; neither found is the server's refusal (exit 3).</summary>
    public static async Task<JsonObject> ResolveAsync(AdminApiClient api, string idOrAppId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (!Guid.TryParse(idOrAppId, out var id))
        {
            throw CommandFailure.Usage(CliErrors.InvalidArguments.With($"'{idOrAppId}' is not an application's object id or app id (a GUID).", "tessera app"));
        }

        return await api.FindAsync($"applications/{id:D}", cancellationToken).ConfigureAwait(false)
               ?? await api.FindAsync($"applications(appId='{id:D}')", cancellationToken).ConfigureAwait(false)
               ?? throw CommandFailure.Refused(CliErrors.NotFound.With("application", idOrAppId));
    }

    public static Argument<string> IdArgument() => new("id") { Description = "The application's object id or app (client) id." };

    private static Command CreateCommand(CliRuntime runtime)
    {
        var name = new Option<string>("--name") { Description = "The display name.", Required = true };
        var web = RepeatedUris("--web-redirect-uri", "A redirect URI of a web app (confidential client); repeat for more.");
        var spa = RepeatedUris("--spa-redirect-uri", "A redirect URI of a single-page app; repeat for more.");
        var publicClient = RepeatedUris("--public-redirect-uri", "A redirect URI of a native (public) client; repeat for more.");
        var identifier = RepeatedUris("--identifier-uri", "An identifier URI of the API the app exposes (api://...); repeat for more.");
        var command = new Command("create", "Register an application.") { name, web, spa, publicClient, identifier };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var body = new JsonObject { ["displayName"] = parse.GetValue(name) };
            AddPlatform(body, "web", parse.GetValue(web));
            AddPlatform(body, "spa", parse.GetValue(spa));
            AddPlatform(body, "publicClient", parse.GetValue(publicClient));
            if (parse.GetValue(identifier) is { Length: > 0 } identifierUris)
            {
                body["identifierUris"] = new JsonArray([.. identifierUris.Select(u => (JsonNode?)u)]);
            }

            var app = await context.Api().SendAsync(HttpMethod.Post, "applications", body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(app, () =>
            {
                Show(context.Printer, app);
                context.Printer.Line($"Add a client secret with 'tessera app credential add {app.Text("id")}'.");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListCommand(CliRuntime runtime)
    {
        var filter = ListOptions.Filter("startswith(displayName,'orders')");
        var top = ListOptions.Top("applications");
        var command = new Command("list", "List the tenant's applications.") { filter, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var apps = await context.Api().ListAsync("applications", ListOptions.Query(parse.GetValue(filter)), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. apps]) },
                () => context.Printer.Table(apps, ListColumns, "No applications."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowCommand(CliRuntime runtime)
    {
        var id = IdArgument();
        var command = new Command("show", "Show an application.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var app = await ResolveAsync(context.Api(), parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(app, () => Show(context.Printer, app));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DeleteCommand(CliRuntime runtime)
    {
        var id = IdArgument();
        var command = new Command("delete", "Delete an application, its credentials and its role assignments.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var objectId = app.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"applications/{Uri.EscapeDataString(objectId)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = objectId, ["appId"] = app.Text("appId"), ["deleted"] = true },
                () => context.Printer.Line($"Deleted application '{app.Text("displayName")}' ({objectId})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void Show(Printer printer, JsonObject app)
    {
        var scopes = app["api"].Objects("oauth2PermissionScopes").Select(s => s.Text("value"));
        var roles = app.Objects("appRoles").Select(r => r.Text("value"));
        printer.Details(
        [
            ("Display name", app.Text("displayName")),
            ("Object id", app.Text("id")),
            ("App (client) id", app.Text("appId")),
            ("Sign-in audience", app.Text("signInAudience")),
            ("Created", app.Date("createdDateTime").Display()),
            ("Web redirect URIs", Lines(app["web"].Strings("redirectUris"))),
            ("SPA redirect URIs", Lines(app["spa"].Strings("redirectUris"))),
            ("Public client redirect URIs", Lines(app["publicClient"].Strings("redirectUris"))),
            ("Identifier URIs", Lines(app.Strings("identifierUris"))),
            ("Scopes", Lines(scopes)),
            ("App roles", Lines(roles)),
            ("Secrets", app.Objects("passwordCredentials").Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Certificates", app.Objects("keyCredentials").Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Publisher domain", app.Text("publisherDomain")),
            ("Verified publisher", app["verifiedPublisher"].Text("verifiedPublisherId") is { } publisherId
                ? $"{app["verifiedPublisher"].Text("displayName")} ({publisherId}), since {app["verifiedPublisher"].Date("addedDateTime").Display()}"
                : "no"),
            ("Required permissions", Lines(app.Objects("requiredResourceAccess").Select(r =>
                $"{r.Text("resourceAppId")}: {r.Objects("resourceAccess").Count(a => a.Text("type") == "Scope")} delegated, {r.Objects("resourceAccess").Count(a => a.Text("type") == "Role")} application"))),
            ("Group claims", app.Text("groupMembershipClaims")),
            ("Certificate-bound tokens", app["tlsClientCertificateBoundAccessTokens"]?.GetValue<bool>() == true ? "on (mutual TLS only)" : "off"),
        ]);
    }

    private static string Lines(IEnumerable<string?> values) => string.Join('\n', values.Where(v => !string.IsNullOrEmpty(v)));

    private static Option<string[]> RepeatedUris(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "uri",
        Arity = ArgumentArity.OneOrMore,
    };

    private static void AddPlatform(JsonObject body, string platform, string[]? uris)
    {
        if (uris is { Length: > 0 })
        {
            body[platform] = new JsonObject { ["redirectUris"] = new JsonArray([.. uris.Select(u => (JsonNode?)u)]) };
        }
    }
}
