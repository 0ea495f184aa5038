using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera role</c>: the built-in admin roles (<c>/roleManagement/directory</c>) and who holds them.</summary>
internal static class RoleCommands
{
    private const string Definitions = "roleManagement/directory/roleDefinitions";
    private const string Assignments = "roleManagement/directory/roleAssignments";

    private static readonly Column[] DefinitionColumns =
    [
        new("Display name", r => r.Text("displayName")),
        new("Id", r => r.Text("id")),
        new("Description", r => r.Text("description")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("role", "Admin roles: list them, assign them to users, and remove assignments.")
        {
            ListCommand(runtime),
            AssignCommand(runtime),
            AssignmentsCommand(runtime),
            UnassignCommand(runtime),
        };

    private static Command ListCommand(CliRuntime runtime)
    {
        var command = new Command("list", "List the built-in admin roles (role definitions).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var roles = await context.Api().ListAsync(Definitions, null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. roles]) },
                () => context.Printer.Table(roles, DefinitionColumns, "No role definitions."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AssignCommand(CliRuntime runtime)
    {
        var user = new Option<string>("--user") { Description = "The user's object id or user principal name.", Required = true, HelpName = "id|upn" };
        var role = new Option<string>("--role") { Description = "The role's display name (\"User Administrator\") or id.", Required = true, HelpName = "name|id" };
        var command = new Command("assign", "Give a user an admin role over the whole tenant.") { user, role };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var principal = await UserCommands.ResolveAsync(api, parse.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var definitions = await api.ListAsync(Definitions, null, null, cancellationToken).ConfigureAwait(false);
            var roleId = RoleId(definitions, parse.GetValue(role)!);
            var assignment = await api.SendAsync(HttpMethod.Post, Assignments, new JsonObject
            {
                ["principalId"] = principal.Text("id"),
                ["roleDefinitionId"] = roleId,
                ["directoryScopeId"] = "/",
            }, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(assignment, () => context.Printer.Line(
                $"Assigned '{RoleName(definitions, roleId)}' to '{principal.Text("userPrincipalName") ?? principal.Text("id")}' (assignment {assignment.Text("id")})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AssignmentsCommand(CliRuntime runtime)
    {
        var user = new Option<string?>("--user") { Description = "Only this user's assignments (object id or user principal name).", HelpName = "id|upn" };
        var command = new Command("assignments", "List who holds which admin role.") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            string? filter = null;
            if (parse.GetValue(user) is { } name)
            {
                var principal = await UserCommands.ResolveAsync(api, name, cancellationToken).ConfigureAwait(false);
                filter = $"principalId eq {AdminApiClient.Literal(principal.Text("id")!)}";
            }

            var assignments = await api.ListAsync(Assignments, ListOptions.Query(filter), null, cancellationToken).ConfigureAwait(false);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(new JsonObject { ["value"] = new JsonArray([.. assignments]) });
                return ExitCodes.Ok;
            }

            var definitions = await api.ListAsync(Definitions, null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Table(assignments,
            [
                new("Id", a => a.Text("id")),
                new("Role", a => RoleName(definitions, a.Text("roleDefinitionId"))),
                new("Principal id", a => a.Text("principalId")),
                new("Scope", a => a.Text("directoryScopeId")),
            ], "No role assignments.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UnassignCommand(CliRuntime runtime)
    {
        var assignment = new Argument<string>("assignmentId") { Description = "The id of the role assignment (see 'tessera role assignments')." };
        var command = new Command("unassign", "Remove a role assignment.") { assignment };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var id = parse.GetValue(assignment)!;
            await context.Api().SendAsync(HttpMethod.Delete, $"{Assignments}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = id, ["deleted"] = true }, () => context.Printer.Line($"Removed role assignment {id}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The role definition id for a name or id. An id the listing does not show is passed on for the server to judge;
    /// a name must match exactly one role (case does not matter).
    /// </summary>
    private static string RoleId(IReadOnlyList<JsonObject> definitions, string nameOrId)
    {
        var byId = definitions.FirstOrDefault(d => string.Equals(d.Text("id"), nameOrId, StringComparison.OrdinalIgnoreCase) ||
                                                   string.Equals(d.Text("templateId"), nameOrId, StringComparison.OrdinalIgnoreCase));
        if (byId is not null)
        {
            return byId.Text("id")!;
        }

        if (Guid.TryParse(nameOrId, out var id))
        {
            return id.ToString("D");
        }

        var byName = definitions.FirstOrDefault(d => string.Equals(d.Text("displayName"), nameOrId.Trim(), StringComparison.OrdinalIgnoreCase));
        return byName?.Text("id") ?? throw CommandFailure.Refused(CliErrors.NotFound.With("role (see 'tessera role list')", nameOrId));
    }

    private static string? RoleName(IReadOnlyList<JsonObject> definitions, string? id)
        => definitions.FirstOrDefault(d => string.Equals(d.Text("id"), id, StringComparison.OrdinalIgnoreCase))?.Text("displayName") ?? id;
}
