using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera app federated</c>: an application's federated identity credentials, the external tokens (a CI pipeline's,
/// a Kubernetes service account's, another identity provider's) it trusts instead of a secret. Each names exactly one
/// issuer, subject and audience; the server checks them and refuses duplicates.
/// </summary>
internal static class AppFederatedCommands
{
    private static readonly Column[] ListColumns =
    [
        new("Name", c => c.Text("name")),
        new("Issuer", c => c.Text("issuer")),
        new("Subject", c => c.Text("subject")),
        new("Audience", c => string.Join(' ', c.Strings("audiences"))),
        new("Id", c => c.Text("id")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("federated", "An application's federated identity credentials: external tokens it trusts instead of a secret.")
        {
            AddCommand(runtime),
            ListCommand(runtime),
            RemoveCommand(runtime),
        };

    private static string CollectionPath(JsonObject app) => $"applications/{Uri.EscapeDataString(app.Text("id")!)}/federatedIdentityCredentials";

    private static Command AddCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var name = new Option<string>("--name") { Description = "A name unique in the application: 3-120 letters, digits, '-' or '_'.", Required = true };
        var issuer = new Option<string>("--issuer") { Description = "The external identity provider's issuer, exactly as the 'iss' of its tokens (https).", Required = true, HelpName = "url" };
        var subject = new Option<string>("--subject") { Description = "The 'sub' of the external tokens to trust, exactly (e.g. repo:contoso/orders:ref:refs/heads/main).", Required = true };
        var audience = new Option<string?>("--audience") { Description = "The 'aud' the external tokens carry (default api://AzureADTokenExchange)." };
        var description = new Option<string?>("--description") { Description = "What the credential is for." };
        var command = new Command("add", "Trust tokens of an external identity provider with this issuer, subject and audience.")
        {
            id, name, issuer, subject, audience, description,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject
            {
                ["name"] = parse.GetValue(name),
                ["issuer"] = parse.GetValue(issuer),
                ["subject"] = parse.GetValue(subject),
            };
            if (parse.GetValue(audience) is { } aud)
            {
                body["audiences"] = new JsonArray(aud);
            }

            if (parse.GetValue(description) is { } text)
            {
                body["description"] = text;
            }

            var credential = await api.SendAsync(HttpMethod.Post, CollectionPath(app), body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(credential, () =>
            {
                Show(context.Printer, credential);
                context.Printer.Line($"Remove it with 'tessera app federated remove {app.Text("id")} {credential.Text("name")}' when the workload no longer needs it.");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var command = new Command("list", "List the external tokens an application trusts.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var credentials = await api.ListAsync(CollectionPath(app), null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. credentials]) },
                () => context.Printer.Table(credentials, ListColumns, "No federated identity credentials."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RemoveCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var credential = new Argument<string>("credential") { Description = "The federated identity credential's name or id." };
        var command = new Command("remove", "Stop trusting a federated identity credential's tokens.") { id, credential };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var key = parse.GetValue(credential)!;
            await api.SendAsync(HttpMethod.Delete, $"{CollectionPath(app)}/{Uri.EscapeDataString(key)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = app.Text("id"), ["federatedIdentityCredential"] = key, ["removed"] = true },
                () => context.Printer.Line($"Removed federated identity credential '{key}' from '{app.Text("displayName")}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Show(Printer printer, JsonObject credential)
        => printer.Details(
        [
            ("Name", credential.Text("name")),
            ("Id", credential.Text("id")),
            ("Issuer", credential.Text("issuer")),
            ("Subject", credential.Text("subject")),
            ("Audience", string.Join(' ', credential.Strings("audiences"))),
            ("Description", credential.Text("description")),
        ]);
}
