using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera sp</c>: service principals (<c>/servicePrincipals</c>), the tenant-local face of each application (its id
/// is the application's appId), and the app roles granted to applications on APIs (application permissions).
/// </summary>
internal static class ServicePrincipalCommands
{
    private const string Principals = "servicePrincipals";

    private static readonly Column[] ListColumns =
    [
        new("Display name", p => p.Text("displayName")),
        new("App id", p => p.Text("appId")),
        new("Enabled", p => YesNo(p.Flag("accountEnabled"))),
        new("Assignment required", p => YesNo(p.Flag("appRoleAssignmentRequired"))),
    ];

    public static Command Create(CliRuntime runtime)
        => new("sp", "Service principals: list, show, enable or disable them, grant or revoke app roles (application permissions), and rate their delegated permissions.")
        {
            ListCommand(runtime),
            ShowCommand(runtime),
            UpdateCommand(runtime),
            GrantCommand(runtime),
            RevokeCommand(runtime),
            AssignmentsCommand(runtime),
            PermissionClassificationCommands.ClassifyCommand(runtime),
            PermissionClassificationCommands.ListCommand(runtime),
            PermissionClassificationCommands.UnclassifyCommand(runtime),
        };

    /// <summary>A service principal by app id; one that is not there is the server's refusal (exit 3).</summary>
    public static async Task<JsonObject> ResolveAsync(AdminApiClient api, string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (!Guid.TryParse(appId, out var id))
        {
            throw CommandFailure.Usage(CliErrors.InvalidArguments.With($"'{appId}' is not an application's app id (a GUID).", "tessera sp"));
        }

        return await api.FindAsync($"{Principals}/{id:D}", cancellationToken).ConfigureAwait(false)
               ?? throw CommandFailure.Refused(CliErrors.NotFound.With("service principal", appId));
    }

    /// <summary>
    /// An API's service principal by app id, or by one of its identifier URIs (<c>api://...</c>), which the listing
    /// shows among its <c>servicePrincipalNames</c>.
    /// </summary>
    public static async Task<JsonObject> ResolveApiAsync(AdminApiClient api, string appIdOrUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (Guid.TryParse(appIdOrUri, out _))
        {
            return await ResolveAsync(api, appIdOrUri, cancellationToken).ConfigureAwait(false);
        }

        var all = await api.ListAsync(Principals, null, null, cancellationToken).ConfigureAwait(false);
        var matches = all.Where(p => p.Strings("servicePrincipalNames").Contains(appIdOrUri.Trim(), StringComparer.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            0 => throw CommandFailure.Refused(CliErrors.NotFound.With("service principal (by app id or identifier URI)", appIdOrUri)),
            1 => matches[0],
            _ => throw CommandFailure.Usage(CliErrors.Ambiguous.With(matches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "service principals", appIdOrUri)),
        };
    }

    private static Argument<string> AppIdArgument(string name = "appId")
        => new(name) { Description = "The application's app (client) id, which is its service principal's id." };

    private static Option<string> ApiOption()
        => new("--api") { Description = "The API: its app id or an identifier URI (api://...).", Required = true, HelpName = "appId|uri" };

    private static Option<string> RoleOption()
        => new("--role") { Description = "The app role's value (\"Application.Read.All\").", Required = true, HelpName = "value" };

    private static Command ListCommand(CliRuntime runtime)
    {
        var filter = ListOptions.Filter("accountEnabled eq false");
        var top = ListOptions.Top("service principals");
        var command = new Command("list", "List the tenant's service principals.") { filter, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var principals = await context.Api().ListAsync(Principals, ListOptions.Query(parse.GetValue(filter)), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. principals]) },
                () => context.Printer.Table(principals, ListColumns, "No service principals."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowCommand(CliRuntime runtime)
    {
        var appId = AppIdArgument();
        var command = new Command("show", "Show a service principal.") { appId };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var principal = await ResolveAsync(context.Api(), parse.GetValue(appId)!, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(principal, () => Show(context.Printer, principal));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UpdateCommand(CliRuntime runtime)
    {
        var appId = AppIdArgument();
        var enabled = new Option<bool?>("--enabled") { Description = "false: the application gets no tokens and no token is issued for it.", HelpName = "true|false" };
        var required = new Option<bool?>("--assignment-required")
        {
            Description = "true: only users and applications assigned one of its app roles may sign in to it or get tokens for it.",
            HelpName = "true|false",
        };
        var command = new Command("update", "Enable or disable a service principal, or require app role assignment.") { appId, enabled, required };
        command.Validators.Add(result =>
        {
            if (result.GetResult(enabled) is null && result.GetResult(required) is null)
            {
                result.AddError("Say what to change: --enabled true|false and/or --assignment-required true|false.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(appId)!, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject();
            if (parse.GetValue(enabled) is { } isEnabled)
            {
                body["accountEnabled"] = isEnabled;
            }

            if (parse.GetValue(required) is { } isRequired)
            {
                body["appRoleAssignmentRequired"] = isRequired;
            }

            var id = found.Text("id")!;
            await api.SendAsync(HttpMethod.Patch, $"{Principals}/{Uri.EscapeDataString(id)}", body, cancellationToken, found.Text("@odata.etag")).ConfigureAwait(false);
            var updated = await ResolveAsync(api, id, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(updated, () => Show(context.Printer, updated));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command GrantCommand(CliRuntime runtime)
    {
        var client = AppIdArgument("clientAppId");
        var apiOption = ApiOption();
        var role = RoleOption();
        var command = new Command("grant", "Grant an application an app role of an API (an application permission).") { client, apiOption, role };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await ResolveAsync(api, parse.GetValue(client)!, cancellationToken).ConfigureAwait(false);
            var resource = await ResolveApiAsync(api, parse.GetValue(apiOption)!, cancellationToken).ConfigureAwait(false);
            var appRole = AppRole(resource, parse.GetValue(role)!);
            var resourceId = resource.Text("id")!;
            var assignment = await api.SendAsync(HttpMethod.Post, $"{Principals}/{Uri.EscapeDataString(resourceId)}/appRoleAssignedTo", new JsonObject
            {
                ["principalId"] = principal.Text("id"),
                ["resourceId"] = resourceId,
                ["appRoleId"] = appRole.Text("id"),
            }, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(assignment, () => context.Printer.Line(
                $"Granted '{appRole.Text("value")}' of '{resource.Text("displayName")}' to '{principal.Text("displayName")}' (assignment {assignment.Text("id")})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RevokeCommand(CliRuntime runtime)
    {
        var client = AppIdArgument("clientAppId");
        var apiOption = ApiOption();
        var role = RoleOption();
        var command = new Command("revoke", "Take an app role of an API back from an application.") { client, apiOption, role };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await ResolveAsync(api, parse.GetValue(client)!, cancellationToken).ConfigureAwait(false);
            var resource = await ResolveApiAsync(api, parse.GetValue(apiOption)!, cancellationToken).ConfigureAwait(false);
            var appRole = AppRole(resource, parse.GetValue(role)!);
            var resourceId = resource.Text("id")!;
            var assignedTo = await api.ListAsync($"{Principals}/{Uri.EscapeDataString(resourceId)}/appRoleAssignedTo", null, null, cancellationToken).ConfigureAwait(false);
            var assignment = assignedTo.FirstOrDefault(a =>
                SameId(a.Text("principalId"), principal.Text("id")) && SameId(a.Text("appRoleId"), appRole.Text("id")))
                ?? throw CommandFailure.Refused(CliErrors.NotFound.With(
                    $"assignment of '{appRole.Text("value")}' to '{principal.Text("displayName")}' (see 'tessera sp assignments {principal.Text("id")}')", appRole.Text("value")!));
            var assignmentId = assignment.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"{Principals}/{Uri.EscapeDataString(resourceId)}/appRoleAssignedTo/{Uri.EscapeDataString(assignmentId)}",
                null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = assignmentId, ["deleted"] = true }, () => context.Printer.Line(
                $"Revoked '{appRole.Text("value")}' of '{resource.Text("displayName")}' from '{principal.Text("displayName")}' (assignment {assignmentId})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AssignmentsCommand(CliRuntime runtime)
    {
        var appId = AppIdArgument();
        var command = new Command("assignments", "List the app roles a service principal holds on APIs (its application permissions).") { appId };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await ResolveAsync(api, parse.GetValue(appId)!, cancellationToken).ConfigureAwait(false);
            var assignments = await api.ListAsync($"{Principals}/{Uri.EscapeDataString(principal.Text("id")!)}/appRoleAssignments", null, null, cancellationToken)
                .ConfigureAwait(false);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(new JsonObject { ["value"] = new JsonArray([.. assignments]) });
                return ExitCodes.Ok;
            }

            // The role values are the resources' own: one look at each API the assignments name.
            var roles = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var resourceId in assignments.Select(a => a.Text("resourceId")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var resource = await api.FindAsync($"{Principals}/{Uri.EscapeDataString(resourceId)}", cancellationToken).ConfigureAwait(false);
                foreach (var role in resource.Objects("appRoles"))
                {
                    if (role.Text("id") is { } roleId)
                    {
                        roles[roleId] = role.Text("value");
                    }
                }
            }

            context.Printer.Table(assignments,
            [
                new("Id", a => a.Text("id")),
                new("Role", a => a.Text("appRoleId") is { } roleId ? roles.GetValueOrDefault(roleId) ?? roleId : null),
                new("API", a => a.Text("resourceDisplayName")),
                new("API app id", a => a.Text("resourceId")),
                new("Created", a => a.Date("createdDateTime").Display()),
            ], "No app role assignments.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The API's app role with this value (case does not matter); none is a refusal, as for an unknown admin role.</summary>
    private static JsonObject AppRole(JsonObject resource, string value)
        => resource.Objects("appRoles").FirstOrDefault(r => string.Equals(r.Text("value"), value.Trim(), StringComparison.OrdinalIgnoreCase))
           ?? throw CommandFailure.Refused(CliErrors.NotFound.With(
               $"app role of '{resource.Text("displayName")}' (see 'tessera sp show {resource.Text("id")}')", value));

    private static bool SameId(string? left, string? right)
        => Guid.TryParse(left, out var a) && Guid.TryParse(right, out var b) && a == b;

    private static string? YesNo(bool? flag) => flag is { } value ? (value ? "yes" : "no") : null;

    private static void Show(Printer printer, JsonObject principal)
        => printer.Details(
        [
            ("Display name", principal.Text("displayName")),
            ("App id", principal.Text("appId")),
            ("Enabled", YesNo(principal.Flag("accountEnabled"))),
            ("Assignment required", YesNo(principal.Flag("appRoleAssignmentRequired"))),
            ("Service principal names", Lines(principal.Strings("servicePrincipalNames"))),
            ("App roles", Lines(principal.Objects("appRoles").Select(r => r.Text("value")))),
            ("Scopes", Lines(principal.Objects("oauth2PermissionScopes").Select(s => s.Text("value")))),
        ]);

    private static string Lines(IEnumerable<string?> values) => string.Join('\n', values.Where(v => !string.IsNullOrEmpty(v)));
}
