using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera sp classify</c>, <c>classifications</c> and <c>unclassify</c>: an administrator's risk rating of an API's
/// delegated permissions (<c>/servicePrincipals/{id}/delegatedPermissionClassifications</c>). Under the default
/// consent policy users may consent only to permissions rated low.
/// </summary>
internal static class PermissionClassificationCommands
{
    private static readonly string[] Ratings = ["low", "medium", "high"];

    private static readonly Column[] ListColumns =
    [
        new("Permission", c => c.Text("permissionName")),
        new("Classification", c => c.Text("classification")),
        new("Permission id", c => c.Text("permissionId")),
        new("Id", c => c.Text("id")),
    ];

    private static Argument<string> ApiArgument()
        => new("api") { Description = "The API's service principal: its app id or an identifier URI (api://...)." };

    private static Argument<string> PermissionArgument()
        => new("permission") { Description = "The delegated permission: its value (Orders.Read) or its id." };

    private static string CollectionPath(JsonObject principal)
        => $"servicePrincipals/{Uri.EscapeDataString(principal.Text("id")!)}/delegatedPermissionClassifications";

    public static Command ClassifyCommand(CliRuntime runtime)
    {
        var apiArgument = ApiArgument();
        var permission = PermissionArgument();
        var rating = new Argument<string>("classification") { Description = "low, medium or high." };
        rating.AcceptOnlyFromAmong(Ratings);
        var command = new Command("classify", "Rate a delegated permission of an API low, medium or high (users may consent only to low ones by default).")
        {
            apiArgument, permission, rating,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await ServicePrincipalCommands.ResolveApiAsync(api, parse.GetValue(apiArgument)!, cancellationToken).ConfigureAwait(false);
            var named = parse.GetValue(permission)!.Trim();
            var body = new JsonObject { ["classification"] = parse.GetValue(rating) };
            body[Guid.TryParse(named, out _) ? "permissionId" : "permissionName"] = named;
            var created = await api.SendAsync(HttpMethod.Post, CollectionPath(principal), body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(created, () => context.Printer.Line(
                $"Rated '{created.Text("permissionName")}' of '{principal.Text("displayName")}' {created.Text("classification")} (classification {created.Text("id")})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command ListCommand(CliRuntime runtime)
    {
        var apiArgument = ApiArgument();
        var command = new Command("classifications", "List the risk ratings of an API's delegated permissions.") { apiArgument };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await ServicePrincipalCommands.ResolveApiAsync(api, parse.GetValue(apiArgument)!, cancellationToken).ConfigureAwait(false);
            var ratings = await api.ListAsync(CollectionPath(principal), null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. ratings]) }, () =>
            {
                context.Printer.Table(ratings.OrderBy(r => r.Text("permissionName"), StringComparer.Ordinal), ListColumns,
                    $"No delegated permission of '{principal.Text("displayName")}' is rated: users may consent to none of them under the default policy.");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command UnclassifyCommand(CliRuntime runtime)
    {
        var apiArgument = ApiArgument();
        var permission = new Argument<string>("permission") { Description = "The delegated permission: its value (Orders.Read), its id, or the classification's id." };
        var command = new Command("unclassify", "Remove the risk rating of a delegated permission of an API.") { apiArgument, permission };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await ServicePrincipalCommands.ResolveApiAsync(api, parse.GetValue(apiArgument)!, cancellationToken).ConfigureAwait(false);
            var named = parse.GetValue(permission)!.Trim();
            var ratings = await api.ListAsync(CollectionPath(principal), null, null, cancellationToken).ConfigureAwait(false);
            var rating = ratings.FirstOrDefault(r => Matches(r, named))
                         ?? throw CommandFailure.Refused(CliErrors.NotFound.With(
                             $"classification of a delegated permission of '{principal.Text("displayName")}' (see 'tessera sp classifications {principal.Text("id")}')", named));
            var ratingId = rating.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"{CollectionPath(principal)}/{Uri.EscapeDataString(ratingId)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = ratingId, ["permissionName"] = rating.Text("permissionName"), ["deleted"] = true }, () => context.Printer.Line(
                $"Removed the rating '{rating.Text("classification")}' of '{rating.Text("permissionName")}' of '{principal.Text("displayName")}' (classification {ratingId})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool Matches(JsonObject rating, string named)
        => string.Equals(rating.Text("permissionName"), named, StringComparison.Ordinal) ||
           (Guid.TryParse(named, out var id) &&
            ((Guid.TryParse(rating.Text("permissionId"), out var permissionId) && permissionId == id) ||
             (Guid.TryParse(rating.Text("id"), out var ratingId) && ratingId == id)));
}
