using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
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
    private const string Category = "Policy";
    private const string UserPermissions = "defaultUserRolePermissions";
    private const string GrantPolicies = "permissionGrantPoliciesAssigned";

    /// <summary>The policies that can be assigned: every stored value but "none", which is the empty list.</summary>
    private static readonly IReadOnlyList<string> Assignable = [.. UserConsentPolicies.All.Where(p => p != UserConsentPolicies.None)];

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

    private static async Task<IResult> GetAsync(HttpContext http, TesseraDbContext db)
    {
        var tenant = await LoadTenantAsync(db.Tenants.AsNoTracking(), http);
        http.Response.Headers.ETag = GraphResults.ETag(tenant.ConcurrencyStamp);
        return Results.Json(Resource(http.Request, tenant));
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var tenant = await LoadTenantAsync(db.Tenants, http);
        if (!GraphResults.IfMatchAllows(http.Request, tenant.ConcurrencyStamp))
        {
            return GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed);
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var (assigned, error) = ReadAssigned(body.Json!);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        if (assigned is null)
        {
            return Results.NoContent();
        }

        var choice = ConsentSettingsRules.UserConsentPolicy(assigned, Assignable);
        if (choice.Error is not null)
        {
            return GraphResults.BadRequest(choice.Error);
        }

        var policy = choice.Policy ?? UserConsentPolicies.None;
        if (policy == tenant.UserConsentPolicy)
        {
            return Results.NoContent();
        }

        var before = tenant.UserConsentPolicy;
        tenant.UserConsentPolicy = policy;
        tenant.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Update authorization policy", new AuditTarget(Id, "Policy", DisplayName,
        [
            new ModifiedProperty($"{UserPermissions}.{GrantPolicies}", JsonSerializer.Serialize(Assigned(before)), JsonSerializer.Serialize(Assigned(policy))),
        ]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
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

    // The caller's token was issued by its tenant, so the tenant exists.
    private static async Task<Tenant> LoadTenantAsync(IQueryable<Tenant> tenants, HttpContext http)
        => await tenants.FirstOrDefaultAsync(t => t.Id == http.Caller().TenantId, http.RequestAborted)
           ?? throw new InvalidOperationException("The caller's tenant does not exist.");
}
