using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera app update</c>: changes an application registration with PATCH, guarded by its ETag. Besides its name it
/// sets what the application's tokens may carry: the permissions it needs on the tenant's APIs (Graph's
/// <c>requiredResourceAccess</c>, what <c>/.default</c> and admin consent grant; the list given replaces the whole
/// list), <c>groupMembershipClaims</c> and <c>tlsClientCertificateBoundAccessTokens</c> (mutual TLS, RFC 8705).
/// </summary>
internal static class AppUpdateCommand
{
    private const string Scope = "Scope";
    private const string Role = "Role";

    public static Command Create(CliRuntime runtime)
    {
        var id = AppCommands.IdArgument();
        var name = new Option<string?>("--name") { Description = "A new display name." };
        var groupClaims = new Option<string?>("--group-claims") { Description = "Which groups users' tokens name: None, SecurityGroup or All.", HelpName = "None|SecurityGroup|All" };
        groupClaims.AcceptOnlyFromAmong("None", "SecurityGroup", "All");
        var delegated = Permissions("--delegated", "Delegated permissions the app needs: an API (app id or identifier URI) and scope values, api://orders:Orders.Read,Orders.ReadWrite; repeat per API.", "api:scope[,scope]");
        var application = Permissions("--application", "Application permissions (app roles) the app needs: an API and role values, api://orders:Orders.Read.All; repeat per API.", "api:role[,role]");
        var clear = new Option<bool>("--clear-permissions") { Description = "Declare no permissions on any API." };
        var bound = new Option<string?>("--certificate-bound-tokens")
        {
            Description = "on: the application must authenticate over mutual TLS with one of its certificates, and its tokens are bound to it (RFC 8705).",
            HelpName = "on|off",
        };
        bound.AcceptOnlyFromAmong("on", "off");
        var command = new Command("update", "Rename an application, or set the permissions it needs (replacing the list), the group claims of its tokens and whether they are bound to its certificate.")
        {
            id, name, groupClaims, delegated, application, clear, bound,
        };
        command.Validators.Add(result =>
        {
            var permissions = result.GetResult(delegated) is not null || result.GetResult(application) is not null;
            if (result.GetResult(name) is null && result.GetResult(groupClaims) is null && !permissions && result.GetResult(clear) is null &&
                result.GetResult(bound) is null)
            {
                result.AddError("Say what to change: --name, --group-claims, --delegated / --application, --clear-permissions or --certificate-bound-tokens.");
            }
            else if (permissions && result.GetResult(clear) is not null)
            {
                result.AddError("--clear-permissions removes every permission; it cannot be combined with --delegated or --application.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var app = await AppCommands.ResolveAsync(api, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject();
            if (parse.GetValue(name) is { } displayName)
            {
                body["displayName"] = displayName;
            }

            if (parse.GetValue(groupClaims) is { } claims)
            {
                body["groupMembershipClaims"] = claims;
            }

            if (parse.GetValue(bound) is { } boundTokens)
            {
                body["tlsClientCertificateBoundAccessTokens"] = boundTokens == "on";
            }

            var wanted = (parse.GetValue(delegated) ?? []).Select(v => (Value: v, Type: Scope))
                .Concat((parse.GetValue(application) ?? []).Select(v => (Value: v, Type: Role)))
                .ToList();
            if (wanted.Count > 0 || parse.GetValue(clear))
            {
                body["requiredResourceAccess"] = await RequiredResourceAccessAsync(api, wanted, cancellationToken).ConfigureAwait(false);
            }

            var objectId = app.Text("id")!;
            await api.SendAsync(HttpMethod.Patch, $"applications/{Uri.EscapeDataString(objectId)}", body, cancellationToken, app.Text("@odata.etag")).ConfigureAwait(false);
            var updated = await AppCommands.ResolveAsync(api, objectId, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(updated, () => AppCommands.Show(context.Printer, updated));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string[]> Permissions(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// Graph's requiredResourceAccess for <c>api:value[,value]</c> entries: each API looked up once, each value found
    /// among its scopes (delegated) or the app roles applications may hold (application). Entries for one API merge.
    /// </summary>
    private static async Task<JsonArray> RequiredResourceAccessAsync(AdminApiClient api, List<(string Value, string Type)> wanted, CancellationToken cancellationToken)
    {
        var resources = new Dictionary<string, (JsonObject Principal, List<(string Id, string Type)> Access)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, type) in wanted)
        {
            // Identifier URIs hold ':' themselves (api://orders): the permissions follow the last one.
            var colon = value.LastIndexOf(':');
            var values = colon > 0 ? value[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (values.Length == 0)
            {
                var option = type == Scope ? "--delegated" : "--application";
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With(
                    $"{option} '{value}' must name an API and its permissions: api://orders:Orders.Read,Orders.ReadWrite (or <appId>:Orders.Read).", "tessera app update"));
            }

            var principal = await ServicePrincipalCommands.ResolveApiAsync(api, value[..colon], cancellationToken).ConfigureAwait(false);
            var resourceId = principal.Text("id")!;
            if (!resources.TryGetValue(resourceId, out var resource))
            {
                resource = (principal, []);
                resources[resourceId] = resource;
            }

            foreach (var permission in values)
            {
                var found = Find(principal, permission, type);
                if (!resource.Access.Contains((found, type)))
                {
                    resource.Access.Add((found, type));
                }
            }
        }

        return new JsonArray([.. resources.Select(r => (JsonNode?)new JsonObject
        {
            ["resourceAppId"] = r.Key,
            ["resourceAccess"] = new JsonArray([.. r.Value.Access.Select(a => (JsonNode?)new JsonObject { ["id"] = a.Id, ["type"] = a.Type })]),
        })]);
    }

    /// <summary>The id of the API's scope (or application role) with this value; case does not matter, as for <c>sp grant</c>.</summary>
    private static string Find(JsonObject principal, string value, string type)
    {
        var candidates = type == Scope
            ? principal.Objects("oauth2PermissionScopes")
            : principal.Objects("appRoles").Where(r => r.Strings("allowedMemberTypes").Contains("Application", StringComparer.Ordinal)).ToList();
        var found = candidates.FirstOrDefault(c => string.Equals(c.Text("value"), value, StringComparison.Ordinal))
                    ?? candidates.FirstOrDefault(c => string.Equals(c.Text("value"), value, StringComparison.OrdinalIgnoreCase));
        return found?.Text("id") ?? throw CommandFailure.Refused(CliErrors.NotFound.With(
            $"{(type == Scope ? "delegated permission (scope)" : "app role for applications")} of '{principal.Text("displayName")}' (see 'tessera sp show {principal.Text("id")}')",
            value));
    }
}
