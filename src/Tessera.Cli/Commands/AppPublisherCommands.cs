using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera app publisher</c>: vouch for an application's publisher, or take that back (Graph's
/// <c>setVerifiedPublisher</c> and <c>unsetVerifiedPublisher</c>). Under the default consent policy users may consent
/// only to applications of verified publishers or of their own organisation. Needs Application.ReadWrite.All: an
/// owner cannot vouch for their own application.
/// </summary>
internal static class AppPublisherCommands
{
    public static Command Create(CliRuntime runtime)
        => new("publisher", "Vouch for an application's publisher (verified publisher), or take it back.")
        {
            VerifyCommand(runtime),
            UnverifyCommand(runtime),
        };

    private static Command VerifyCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var publisherId = new Option<string>("--id")
        {
            Description = "The publisher's id you vouch for (in Entra ID its partner network id).",
            Required = true,
            HelpName = "publisherId",
        };
        var name = new Option<string?>("--name") { Description = "The publisher's name as consent pages show it (default: the tenant's name)." };
        var command = new Command("verify", "Mark the application's publisher as verified, recording who did it and when.") { id, publisherId, name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject { ["verifiedPublisherId"] = parse.GetValue(publisherId) };
            if (parse.GetValue(name) is { } displayName)
            {
                body["displayName"] = displayName;
            }

            var objectId = app.Text("id")!;
            await api.SendAsync(HttpMethod.Post, $"applications/{Uri.EscapeDataString(objectId)}/setVerifiedPublisher", body, cancellationToken, app.Text("@odata.etag"))
                .ConfigureAwait(false);
            var updated = await AppCommands.ResolveAsync(api, objectId, cancellationToken).ConfigureAwait(false);
            var publisher = updated["verifiedPublisher"] as JsonObject ?? [];
            context.Printer.Result(publisher, () => context.Printer.Line(
                $"Verified the publisher of '{updated.Text("displayName")}': '{publisher.Text("displayName")}' ({publisher.Text("verifiedPublisherId")}), {publisher.Date("addedDateTime").Display()}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UnverifyCommand(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var command = new Command("unverify", "Remove the application's verified publisher.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var objectId = app.Text("id")!;
            await api.SendAsync(HttpMethod.Post, $"applications/{Uri.EscapeDataString(objectId)}/unsetVerifiedPublisher", null, cancellationToken, app.Text("@odata.etag"))
                .ConfigureAwait(false);
            var updated = await AppCommands.ResolveAsync(api, objectId, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(updated["verifiedPublisher"] as JsonObject ?? [], () => context.Printer.Line(
                $"'{updated.Text("displayName")}' has no verified publisher."));
            return ExitCodes.Ok;
        });
        return command;
    }
}
