using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/policies/defaultAppManagementPolicy</c>: the tenant's rules for application credentials (Graph's
/// <c>tenantAppManagementPolicy</c>): the longest lifetime of a client secret (<c>passwordLifetime</c>, 1 to 730 days),
/// and optionally no new secrets at all (<c>passwordAddition</c>: certificates and federated credentials only), both
/// enforced by <c>addPassword</c>. The policy is always on.
/// </summary>
public static class AppManagementPolicyApi
{
    /// <summary>Graph gives the tenant's default policy this id.</summary>
    public const string PolicyId = "00000000-0000-0000-0000-000000000000";
    public const string PolicyDisplayName = "Default app management tenant policy";

    private const string Path = "/policies/defaultAppManagementPolicy";
    private const string RestrictionsName = "applicationRestrictions";
    private const string PasswordsName = "passwordCredentials";

    private static readonly TenantPolicyEndpoint Endpoint = new(PolicyId, PolicyDisplayName, "Update policy");

    public static RouteGroupBuilder MapAppManagementPolicy(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet(Path, GetAsync).RequirePermission(AdminPermissions.PolicyReadAll);
        api.MapPatch(Path, UpdateAsync).RequirePermission(AdminPermissions.PolicyReadWriteApplicationConfiguration);
        return api;
    }

    /// <summary>Whether the tenant forbids new client secrets.</summary>
    public static Task<bool> SecretsForbiddenAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Tenants.AsNoTracking().AnyAsync(t => t.Id == tenantId && t.PasswordAdditionBlocked, cancellationToken);
    }

    /// <summary>The longest lifetime the tenant allows a new client secret.</summary>
    public static async Task<TimeSpan> SecretLifetimeAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var days = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => (int?)t.PasswordCredentialMaxLifetimeDays).FirstOrDefaultAsync(cancellationToken);
        return TimeSpan.FromDays(Math.Clamp(days ?? AppManagementPolicyRules.LongestSecretLifetimeDays,
            AppManagementPolicyRules.ShortestSecretLifetimeDays, AppManagementPolicyRules.LongestSecretLifetimeDays));
    }

    public static object Resource(int maxLifetimeDays, bool secretsForbidden) => new Dictionary<string, object?>
    {
        ["id"] = PolicyId,
        ["displayName"] = PolicyDisplayName,
        ["isEnabled"] = true,
        [RestrictionsName] = new Dictionary<string, object?>
        {
            [PasswordsName] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["restrictionType"] = AppManagementPolicyRules.PasswordLifetime,
                    ["maxLifetime"] = AppManagementPolicyRules.Duration(maxLifetimeDays),
                },
                secretsForbidden
                    ? new Dictionary<string, object?> { ["restrictionType"] = AppManagementPolicyRules.PasswordAddition, ["maxLifetime"] = null }
                    : null,
            }.OfType<Dictionary<string, object?>>().ToArray(),
        },
    };

    private static Task<IResult> GetAsync(HttpContext http, TesseraDbContext db)
        => TenantPolicyEndpoint.GetAsync(http, db, tenant => Resource(tenant.PasswordCredentialMaxLifetimeDays, tenant.PasswordAdditionBlocked));

    private static Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, AuditLog audit)
        => Endpoint.UpdateAsync(http, db, audit, Apply);

    private static PolicyChange Apply(Tenant tenant, JsonObject json)
    {
        var (restrictions, error) = ReadRestrictions(json);
        if (error is not null)
        {
            return PolicyChange.Refused(error);
        }

        if (restrictions is not var (days, forbidSecrets))
        {
            return PolicyChange.None;
        }

        var modified = new List<ModifiedProperty>();
        if (days != tenant.PasswordCredentialMaxLifetimeDays)
        {
            modified.Add(new ModifiedProperty($"{RestrictionsName}.{PasswordsName}.{AppManagementPolicyRules.PasswordLifetime}",
                AppManagementPolicyRules.Duration(tenant.PasswordCredentialMaxLifetimeDays), AppManagementPolicyRules.Duration(days)));
            tenant.PasswordCredentialMaxLifetimeDays = days;
        }

        if (forbidSecrets != tenant.PasswordAdditionBlocked)
        {
            modified.Add(new ModifiedProperty($"{RestrictionsName}.{PasswordsName}.{AppManagementPolicyRules.PasswordAddition}",
                tenant.PasswordAdditionBlocked ? "restricted" : "allowed", forbidSecrets ? "restricted" : "allowed"));
            tenant.PasswordAdditionBlocked = forbidSecrets;
        }

        return modified.Count == 0 ? PolicyChange.None : PolicyChange.Changed([.. modified]);
    }

    /// <summary>
    /// The restrictions a PATCH body asks for (null when it asks for no change): the list replaces the current one, and
    /// must hold one passwordLifetime and at most one passwordAddition. Everything the policy cannot do is refused by
    /// name; its id and display name may be sent back unchanged, and isEnabled only as true.
    /// </summary>
    private static ((int Days, bool ForbidSecrets)? Restrictions, TesseraError? Error) ReadRestrictions(JsonObject json)
    {
        foreach (var (name, value) in json)
        {
            var allowed = name.StartsWith('@') || name == RestrictionsName ||
                          (name == "isEnabled" && value?.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False) ||
                          (name == "id" && ApiBodies.Text(value) == PolicyId) ||
                          (name == "displayName" && ApiBodies.Text(value) == PolicyDisplayName);
            if (!allowed)
            {
                return (null, name == "isEnabled" ? RegistrationErrors.Malformed.With("'isEnabled' must be true or false.") : RegistrationErrors.AppPolicyPropertyUnsupported.With(name));
            }
        }

        if (ApiBodies.OptionalBool(json, "isEnabled", out _) == false)
        {
            return (null, RegistrationErrors.AppPolicyCannotBeDisabled);
        }

        if (json[RestrictionsName] is null)
        {
            return (null, null);
        }

        if (json[RestrictionsName] is not JsonObject restrictions)
        {
            return (null, RegistrationErrors.Malformed.With($"'{RestrictionsName}' must be a JSON object."));
        }

        var other = restrictions.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && name != PasswordsName);
        if (other is not null)
        {
            return (null, RegistrationErrors.AppPolicyPropertyUnsupported.With($"{RestrictionsName}.{other}"));
        }

        if (!restrictions.ContainsKey(PasswordsName))
        {
            return (null, null);
        }

        if (restrictions[PasswordsName] is not JsonArray passwords || passwords.Count == 0 || passwords.Any(p => p is not JsonObject))
        {
            return (null, RegistrationErrors.AppPolicyPasswordRestrictionsShape);
        }

        for (var i = 0; i < passwords.Count; i++)
        {
            var restriction = passwords[i]!.AsObject();
            var unknown = restriction.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && name is not ("restrictionType" or "maxLifetime"));
            if (unknown is not null)
            {
                return (null, RegistrationErrors.AppPolicyPropertyUnsupported.With($"{RestrictionsName}.{PasswordsName}[{i}].{unknown}"));
            }

            if (AppManagementPolicyRules.RestrictionType(ApiBodies.Text(restriction["restrictionType"])) is { } unsupported)
            {
                return (null, unsupported);
            }
        }

        var lifetimes = passwords.Where(p => ApiBodies.Text(p!["restrictionType"]) == AppManagementPolicyRules.PasswordLifetime).ToList();
        var additions = passwords.Where(p => ApiBodies.Text(p!["restrictionType"]) == AppManagementPolicyRules.PasswordAddition).ToList();
        if (lifetimes.Count != 1 || additions.Count > 1 || additions.Any(a => a!["maxLifetime"] is not null))
        {
            return (null, RegistrationErrors.AppPolicyPasswordRestrictionsShape);
        }

        var (days, error) = AppManagementPolicyRules.MaxLifetimeDays(ApiBodies.Text(lifetimes[0]!["maxLifetime"]));
        return error is not null ? (null, error) : ((days, additions.Count == 1), null);
    }
}
