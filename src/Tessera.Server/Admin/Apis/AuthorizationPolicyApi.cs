using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/policies/authorizationPolicy</c>: Graph's tenant-wide authorization policy, of which Tessera keeps the part the
/// consent decisions read: what users may consent to for themselves
/// (<c>defaultUserRolePermissions.permissionGrantPoliciesAssigned</c>, Entra ID's built-in policy names; an empty list
/// means users may not consent). Its version (ETag) is the tenant's.
/// </summary>
public static class AuthorizationPolicyApi
{
    public const string Id = "authorizationPolicy";
    private const string DisplayName = "Authorization Policy";
    private const string Description = "Used to manage authorization related settings across the company.";
    private const string UserPermissions = "defaultUserRolePermissions";
    private const string GrantPolicies = "permissionGrantPoliciesAssigned";

    /// <summary>The policies that can be assigned: every stored value but "none", which is the empty list.</summary>
    private static readonly IReadOnlyList<string> Assignable = [.. UserConsentPolicies.All.Where(p => p != UserConsentPolicies.None)];

    private static readonly TenantPolicyEndpoint Endpoint = new(Id, DisplayName, "Update authorization policy");

    // What GET shows and PATCH accepts back unchanged, so that a policy read, edited and sent back as a whole is fine.
    private static readonly Dictionary<string, string> Fixed = new(StringComparer.Ordinal)
    {
        ["id"] = Id,
        ["displayName"] = DisplayName,
        ["description"] = Description,
    };

    public static RouteGroupBuilder MapAuthorizationPolicy(this RouteGroupBuilder api)
    {
        api.MapGet("/policies/authorizationPolicy", GetAsync).RequirePermission(AdminPermissions.PolicyReadAll);
        api.MapPatch("/policies/authorizationPolicy", UpdateAsync).RequirePermission(AdminPermissions.PolicyReadWriteAuthorization);
        return api;
    }

    /// <summary>Graph's <c>permissionGrantPoliciesAssigned</c> for a stored user consent policy.</summary>
    public static IReadOnlyList<string> Assigned(string userConsentPolicy)
        => userConsentPolicy == UserConsentPolicies.None ? [] : [userConsentPolicy];

    private static Task<IResult> GetAsync(HttpContext http, TesseraDbContext db)
        => TenantPolicyEndpoint.GetAsync(http, db, tenant => Resource(http.Request, tenant));

    private static Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, AuditLog audit)
        => Endpoint.UpdateAsync(http, db, audit, Apply);

    private static PolicyChange Apply(Tenant tenant, JsonObject json)
    {
        var (assigned, error) = ReadAssigned(json);
        if (error is not null)
        {
            return PolicyChange.Refused(error);
        }

        if (assigned is null)
        {
            return PolicyChange.None;
        }

        var choice = ConsentSettingsRules.UserConsentPolicy(assigned, Assignable);
        if (choice.Error is not null)
        {
            return PolicyChange.Refused(choice.Error);
        }

        var policy = choice.Policy ?? UserConsentPolicies.None;
        if (policy == tenant.UserConsentPolicy)
        {
            return PolicyChange.None;
        }

        var before = tenant.UserConsentPolicy;
        tenant.UserConsentPolicy = policy;
        return PolicyChange.Changed(
            new ModifiedProperty($"{UserPermissions}.{GrantPolicies}", JsonSerializer.Serialize(Assigned(before)), JsonSerializer.Serialize(Assigned(policy))));
    }

    /// <summary>
    /// The list of policies the body assigns, or null when it assigns nothing; every other property is refused unless
    /// it is one GET shows and is sent back unchanged.
    /// </summary>
    private static (IReadOnlyList<string>? Assigned, Tessera.Policy.Errors.TesseraError? Error) ReadAssigned(JsonObject json)
    {
        var unsupported = json.FirstOrDefault(p => !p.Key.StartsWith('@') && p.Key != UserPermissions &&
                                                   !(Fixed.TryGetValue(p.Key, out var value) && ApiBodies.Text(p.Value) == value)).Key;
        if (unsupported is not null)
        {
            return (null, RegistrationErrors.AuthorizationPolicyPropertyUnsupported.With(unsupported));
        }

        if (!json.TryGetPropertyValue(UserPermissions, out var node))
        {
            return (null, null);
        }

        if (node is not JsonObject permissions)
        {
            return (null, RegistrationErrors.Malformed.With($"'{UserPermissions}' must be a JSON object."));
        }

        var other = permissions.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && name != GrantPolicies);
        if (other is not null)
        {
            return (null, RegistrationErrors.AuthorizationPolicyPropertyUnsupported.With($"{UserPermissions}.{other}"));
        }

        if (permissions.TryGetPropertyValue(GrantPolicies, out var list) && list is null)
        {
            return (null, RegistrationErrors.Malformed.With($"'{UserPermissions}.{GrantPolicies}' must be an array; send [] for no user consent."));
        }

        var assigned = ApiBodies.OptionalStrings(permissions, GrantPolicies, out var error);
        return (assigned, error is null ? null : RegistrationErrors.Malformed.With($"'{UserPermissions}.{GrantPolicies}' must be an array of policy names."));
    }

    private static Dictionary<string, object?> Resource(HttpRequest request, Tenant tenant) => new()
    {
        ["@odata.context"] = GraphLinks.Context(request, "policies/authorizationPolicy/$entity"),
        ["id"] = Id,
        ["displayName"] = DisplayName,
        ["description"] = Description,
        [UserPermissions] = new Dictionary<string, object?> { [GrantPolicies] = Assigned(tenant.UserConsentPolicy) },
        ["@odata.etag"] = GraphResults.ETag(tenant.ConcurrencyStamp),
    };
}
