using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera grant</c>: delegated permission grants (<c>/oauth2PermissionGrants</c>), what a client may do on an API
/// for every user (admin consent) or for one user, and the consent requests users send to administrators
/// (<c>/identityGovernance/appConsent/appConsentRequests</c>). A change reaches users' tokens at their next refresh;
/// removing a grant ends the refresh tokens that rest on it at once.
/// </summary>
internal static class GrantCommands
{
    private const string Grants = "oauth2PermissionGrants";
    private const string Requests = "identityGovernance/appConsent/appConsentRequests";
    private const string Everyone = "everyone";
    private static readonly string[] Statuses = ["InProgress", "Approved", "Denied"];

    public static Command Create(CliRuntime runtime)
        => new("grant", "Delegated permission grants (admin consent for everyone, or for one user), and the consent requests users send to administrators.")
        {
            ListCommand(runtime),
            AddCommand(runtime),
            UpdateCommand(runtime),
            RemoveCommand(runtime),
            RequestsCommand(runtime),
            DecideCommand(runtime, "approve", "Approve a consent request: its scopes are granted to the application for every user of the tenant."),
            DecideCommand(runtime, "deny", "Deny a consent request: nothing is granted, and the request is closed."),
        };

    /// <summary>
    /// A service principal by app id, by one of its identifier URIs (<c>api://...</c>), or by its display name, which
    /// must name exactly one. <paramref name="all"/> is the tenant's service principals, read once per command.
    /// </summary>
    private static async Task<JsonObject> ResolveAsync(AdminApiClient api, Lazy<Task<List<JsonObject>>> all, string named, string what, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(named, out _))
        {
            return await ServicePrincipalCommands.ResolveAsync(api, named, cancellationToken).ConfigureAwait(false);
        }

        var wanted = named.Trim();
        var principals = await all.Value.ConfigureAwait(false);
        var matches = principals.Where(p => p.Strings("servicePrincipalNames").Contains(wanted, StringComparer.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. principals.Where(p => string.Equals(p.Text("displayName"), wanted, StringComparison.OrdinalIgnoreCase))];
        }

        return matches.Count switch
        {
            0 => throw CommandFailure.Refused(CliErrors.NotFound.With($"{what} (by app id, identifier URI or display name)", named)),
            1 => matches[0],
            _ => throw CommandFailure.Usage(CliErrors.Ambiguous.With(matches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "service principals", named)),
        };
    }

    private static Lazy<Task<List<JsonObject>>> ServicePrincipals(AdminApiClient api, CancellationToken cancellationToken)
        => new(() => api.ListAsync("servicePrincipals", null, null, cancellationToken));

    private static Argument<string[]> ScopesArgument() => new("scope")
    {
        Description = "The delegated permissions, by value (Orders.Read); several as separate words or in one quoted, space-separated word.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static string Scope(string[] values) => string.Join(' ', values.SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));

    private static Argument<string> IdArgument(string what) => new("id") { Description = $"The {what}'s id." };

    private static string ItemPath(string collection, string id) => $"{collection}/{Uri.EscapeDataString(id.Trim())}";

    private static Command ListCommand(CliRuntime runtime)
    {
        var client = new Option<string?>("--client") { Description = "Only grants of this client: its app id, identifier URI or display name.", HelpName = "app" };
        var resource = new Option<string?>("--resource") { Description = "Only grants on this API: its app id, identifier URI or display name.", HelpName = "api" };
        var user = new Option<string?>("--user") { Description = "Only the grants one user gave for themselves: their object id or user principal name.", HelpName = "upn" };
        var command = new Command("list", "List delegated permission grants: who may use which API's permissions through which application.") { client, resource, user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var all = ServicePrincipals(api, cancellationToken);
            var filter = new List<string>();
            if (parse.GetValue(client) is { } clientName)
            {
                filter.Add($"clientId eq '{(await ResolveAsync(api, all, clientName, "client application", cancellationToken).ConfigureAwait(false)).Text("id")}'");
            }

            if (parse.GetValue(resource) is { } resourceName)
            {
                filter.Add($"resourceId eq '{(await ResolveAsync(api, all, resourceName, "API", cancellationToken).ConfigureAwait(false)).Text("id")}'");
            }

            if (parse.GetValue(user) is { } userName)
            {
                filter.Add($"principalId eq '{(await UserCommands.ResolveAsync(api, userName, cancellationToken).ConfigureAwait(false)).Text("id")}'");
            }

            var grants = await api.ListAsync(Grants, filter.Count == 0 ? null : ListOptions.Query(string.Join(" and ", filter)), null, cancellationToken)
                .ConfigureAwait(false);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(new JsonObject { ["value"] = new JsonArray([.. grants]) });
                return ExitCodes.Ok;
            }

            var names = (await all.Value.ConfigureAwait(false))
                .Where(p => p.Text("id") is not null)
                .ToDictionary(p => p.Text("id")!, p => p.Text("displayName"), StringComparer.OrdinalIgnoreCase);
            var people = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var principalId in grants.Select(g => g.Text("principalId")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
            {
                people[principalId] = (await api.FindAsync($"users/{Uri.EscapeDataString(principalId)}", cancellationToken).ConfigureAwait(false))
                    .Text("userPrincipalName") ?? principalId;
            }

            context.Printer.Table(grants,
            [
                new("Id", g => g.Text("id")),
                new("Client", g => g.Text("clientId") is { } id ? names.GetValueOrDefault(id) ?? id : null),
                new("API", g => g.Text("resourceId") is { } id ? names.GetValueOrDefault(id) ?? id : null),
                new("For", g => g.Text("principalId") is { } id ? people.GetValueOrDefault(id) ?? id : Everyone),
                new("Scope", g => g.Text("scope")),
            ], "No delegated permission grants.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AddCommand(CliRuntime runtime)
    {
        var client = new Argument<string>("client") { Description = "The client application: its app id, identifier URI or display name." };
        var resource = new Argument<string>("resource") { Description = "The API: its app id, identifier URI (api://...) or display name." };
        var scopes = ScopesArgument();
        var user = new Option<string?>("--user")
        {
            Description = "Grant for this one user (object id or user principal name). Without it the grant is admin consent for every user of the tenant.",
            HelpName = "upn",
        };
        var command = new Command("add", "Grant a client delegated permissions of an API, for every user (admin consent) or for one user.") { client, resource, scopes, user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var all = ServicePrincipals(api, cancellationToken);
            var clientPrincipal = await ResolveAsync(api, all, parse.GetValue(client)!, "client application", cancellationToken).ConfigureAwait(false);
            var resourcePrincipal = await ResolveAsync(api, all, parse.GetValue(resource)!, "API", cancellationToken).ConfigureAwait(false);
            var person = parse.GetValue(user) is { } userName ? await UserCommands.ResolveAsync(api, userName, cancellationToken).ConfigureAwait(false) : null;
            var created = await api.SendAsync(HttpMethod.Post, Grants, new JsonObject
            {
                ["clientId"] = clientPrincipal.Text("id"),
                ["consentType"] = person is null ? "AllPrincipals" : "Principal",
                ["principalId"] = person?.Text("id"),
                ["resourceId"] = resourcePrincipal.Text("id"),
                ["scope"] = Scope(parse.GetValue(scopes)!),
            }, cancellationToken).ConfigureAwait(false) ?? [];
            var forWhom = person is null ? "every user" : $"'{person.Text("userPrincipalName")}'";
            context.Printer.Result(created, () => context.Printer.Line(
                $"Granted '{created.Text("scope")}' of '{resourcePrincipal.Text("displayName")}' to '{clientPrincipal.Text("displayName")}' for {forWhom} (grant {created.Text("id")})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command UpdateCommand(CliRuntime runtime)
    {
        var id = IdArgument("grant");
        var scopes = ScopesArgument();
        var command = new Command("update", "Replace the scopes of a grant (users' tokens follow at their next refresh).") { id, scopes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var path = ItemPath(Grants, parse.GetValue(id)!);
            var grant = await api.FindAsync(path, cancellationToken).ConfigureAwait(false)
                        ?? throw CommandFailure.Refused(CliErrors.NotFound.With("delegated permission grant", parse.GetValue(id)!));
            await api.SendAsync(HttpMethod.Patch, path, new JsonObject { ["scope"] = Scope(parse.GetValue(scopes)!) }, cancellationToken, grant.Text("@odata.etag"))
                .ConfigureAwait(false);
            var updated = await api.GetAsync(path, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(updated, () => context.Printer.Line(
                $"Grant {updated.Text("id")} now holds '{updated.Text("scope")}' (was '{grant.Text("scope")}')."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RemoveCommand(CliRuntime runtime)
    {
        var id = IdArgument("grant");
        var command = new Command("remove", "Delete a grant; the refresh tokens that rest on it stop working at once.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var path = ItemPath(Grants, parse.GetValue(id)!);
            var grant = await api.FindAsync(path, cancellationToken).ConfigureAwait(false)
                        ?? throw CommandFailure.Refused(CliErrors.NotFound.With("delegated permission grant", parse.GetValue(id)!));
            await api.SendAsync(HttpMethod.Delete, path, null, cancellationToken, grant.Text("@odata.etag")).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = grant.Text("id"), ["deleted"] = true }, () => context.Printer.Line(
                $"Removed grant {grant.Text("id")} ('{grant.Text("scope")}', for {(grant.Text("principalId") is { } user ? "user " + user : "every user")})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RequestsCommand(CliRuntime runtime)
    {
        var status = new Option<string?>("--status") { Description = "Only requests in this state: InProgress, Approved or Denied.", HelpName = "status" };
        status.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && !Statuses.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                result.AddError($"--status must be one of {string.Join(", ", Statuses)}, not '{value}'.");
            }
        });
        var command = new Command("requests", "List the consent requests users sent to administrators, newest first.") { status };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var wanted = parse.GetValue(status) is { } value ? Statuses.First(s => s.Equals(value, StringComparison.OrdinalIgnoreCase)) : null;
            var requests = await context.Api().ListAsync(Requests, wanted is null ? null : ListOptions.Query($"status eq '{wanted}'"), null, cancellationToken)
                .ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. requests]) }, () => context.Printer.Table(requests,
            [
                new("Id", r => r.Text("id")),
                new("Application", r => r.Text("appDisplayName") ?? r.Text("appId")),
                new("API", r => r.Text("resourceDisplayName") ?? r.Text("resourceId")),
                new("Scopes", r => string.Join(' ', r.Objects("pendingScopes").Select(s => s.Text("displayName")))),
                new("Requested by", r => r["requestedBy"].Text("userPrincipalName") ?? r["requestedBy"].Text("id")),
                new("Status", r => r.Text("status")),
                new("Created", r => r.Date("createdDateTime").Display()),
            ], wanted is null ? "No consent requests." : $"No consent requests {wanted}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DecideCommand(CliRuntime runtime, string decision, string description)
    {
        var id = IdArgument("consent request");
        var command = new Command(decision, description) { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var decided = await context.Api().SendAsync(HttpMethod.Post, $"{ItemPath(Requests, parse.GetValue(id)!)}/{decision}", null, cancellationToken)
                .ConfigureAwait(false) ?? [];
            var scopes = string.Join(' ', decided.Objects("pendingScopes").Select(s => s.Text("displayName")));
            context.Printer.Result(decided, () => context.Printer.Line(decision == "approve"
                ? $"Approved: '{decided.Text("appDisplayName")}' may use '{scopes}' of '{decided.Text("resourceDisplayName")}' for every user (request {decided.Text("id")})."
                : $"Denied request {decided.Text("id")} of '{decided["requestedBy"].Text("userPrincipalName")}' for '{scopes}' of '{decided.Text("resourceDisplayName")}'."));
            return ExitCodes.Ok;
        });
        return command;
    }
}
