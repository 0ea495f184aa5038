using System.Text.Json.Nodes;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Sessions;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Sessions;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/policies/sessionPolicy</c>: how long the tenant's browser sign-in sessions last (Tessera's own policy; Entra ID
/// sets this through Conditional Access session controls, hence the permission). <c>idleTimeout</c> and
/// <c>absoluteTimeout</c> are ISO 8601 durations, or null for the server's defaults; the <c>effective</c> values are
/// what applies. A change applies to sessions already open as well. Its version (ETag) is the tenant's.
/// </summary>
public static class SessionPolicyApi
{
    public const string Id = "sessionPolicy";
    private const string Path = "/policies/sessionPolicy";
    private const string DisplayName = "Sign-in session policy";
    private const string Description = "How long browser sign-in sessions last without activity and in all.";
    private const string Idle = "idleTimeout";
    private const string Absolute = "absoluteTimeout";

    // What GET shows and PATCH accepts back unchanged (or ignores, for the computed values).
    private static readonly string[] Fixed = ["id", "displayName", "description"];
    private static readonly string[] Computed = ["effectiveIdleTimeout", "effectiveAbsoluteTimeout"];

    private static readonly TenantPolicyEndpoint Endpoint = new(Id, DisplayName, "Update session policy");

    public static RouteGroupBuilder MapSessionPolicy(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet(Path, GetAsync).RequirePermission(AdminPermissions.PolicyReadAll);
        api.MapPatch(Path, UpdateAsync).RequirePermission(AdminPermissions.PolicyReadWriteConditionalAccess);
        return api;
    }

    private static Task<IResult> GetAsync(HttpContext http, TesseraDbContext db, SignInSessionStore sessions)
        => TenantPolicyEndpoint.GetAsync(http, db, tenant => Resource(http.Request, tenant, sessions.ServerTimeouts));

    private static Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, AuditLog audit, SignInSessionStore sessions)
        => Endpoint.UpdateAsync(http, db, audit, (tenant, json) => Apply(http.Request, tenant, json, sessions.ServerTimeouts),
            tenant => sessions.PolicyChanged(tenant.Id));

    private static PolicyChange Apply(HttpRequest request, Tenant tenant, JsonObject json, SessionTimeouts server)
    {
        var current = Resource(request, tenant, server);
        var unsupported = json.FirstOrDefault(p => !p.Key.StartsWith('@') && p.Key is not (Idle or Absolute) && !Computed.Contains(p.Key) &&
                                                   !(Fixed.Contains(p.Key) && ApiBodies.Text(p.Value) == (string?)current[p.Key])).Key;
        if (unsupported is not null)
        {
            return PolicyChange.Refused(SessionErrors.PolicyPropertyUnsupported.With(unsupported));
        }

        var (idle, idleError) = Read(json, Idle, tenant.SessionIdleTimeoutMinutes, SessionRules.IdleMinutes);
        var (absolute, absoluteError) = Read(json, Absolute, tenant.SessionAbsoluteTimeoutMinutes, SessionRules.AbsoluteMinutes);
        if ((idleError ?? absoluteError) is { } error)
        {
            return PolicyChange.Refused(error);
        }

        var effective = SessionRules.Effective(server, idle, absolute);
        if (idle is { } setIdle && SessionRules.Consistent(TimeSpan.FromMinutes(setIdle), effective.Absolute) is { } inconsistent)
        {
            return PolicyChange.Refused(inconsistent);
        }

        if (idle == tenant.SessionIdleTimeoutMinutes && absolute == tenant.SessionAbsoluteTimeoutMinutes)
        {
            return PolicyChange.None;
        }

        var modified = new List<ModifiedProperty>();
        ModifiedProperty.Track(modified, Idle, Written(tenant.SessionIdleTimeoutMinutes), Written(idle));
        ModifiedProperty.Track(modified, Absolute, Written(tenant.SessionAbsoluteTimeoutMinutes), Written(absolute));
        tenant.SessionIdleTimeoutMinutes = idle;
        tenant.SessionAbsoluteTimeoutMinutes = absolute;
        return PolicyChange.Changed(modified);
    }

    /// <summary>The new value of one timeout: absent keeps it, null resets it to the server's default, text sets it.</summary>
    private static (int? Minutes, TesseraError? Error) Read(JsonObject json, string name, int? before, Func<string?, (int Minutes, TesseraError? Error)> parse)
    {
        if (!json.TryGetPropertyValue(name, out var node))
        {
            return (before, null);
        }

        if (node is null)
        {
            return (null, null);
        }

        var (minutes, error) = parse(ApiBodies.Text(node) ?? node.ToJsonString());
        return error is null ? (minutes, null) : (null, error);
    }

    private static string? Written(int? minutes) => minutes is { } m ? SessionRules.Duration(TimeSpan.FromMinutes(m)) : null;

    private static Dictionary<string, object?> Resource(HttpRequest request, Tenant tenant, SessionTimeouts server)
    {
        var effective = SessionRules.Effective(server, tenant.SessionIdleTimeoutMinutes, tenant.SessionAbsoluteTimeoutMinutes);
        return new Dictionary<string, object?>
        {
            ["@odata.context"] = GraphLinks.Context(request, "policies/sessionPolicy/$entity"),
            ["id"] = Id,
            ["displayName"] = DisplayName,
            ["description"] = Description,
            [Idle] = Written(tenant.SessionIdleTimeoutMinutes),
            [Absolute] = Written(tenant.SessionAbsoluteTimeoutMinutes),
            ["effectiveIdleTimeout"] = SessionRules.Duration(effective.Idle),
            ["effectiveAbsoluteTimeout"] = SessionRules.Duration(effective.Absolute),
            ["@odata.etag"] = GraphResults.ETag(tenant.ConcurrencyStamp),
        };
    }
}
