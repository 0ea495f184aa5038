using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.Errors;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.ConditionalAccess;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// What the Conditional Access endpoints share: the ids a policy names checked against the directory, the tenant's
/// version moved with every write (so that every server reloads), and the sign-ins the safeguards imagine.
/// </summary>
public static class ConditionalAccessChanges
{
    public const string Category = "Policy";
    public const string Permission = AdminPermissions.PolicyReadWriteConditionalAccess;

    /// <summary>Reading: Policy.Read.ConditionalAccess, or Policy.Read.All which includes it (as in Graph).</summary>
    public static readonly string[] ReadPermissions = [AdminPermissions.PolicyReadConditionalAccess, AdminPermissions.PolicyReadAll];

    /// <summary>Moves the tenant's Conditional Access version; call inside the write's transaction.</summary>
    public static async Task BumpVersionAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var version = Guid.NewGuid();
        await db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.ConditionalAccessVersion, version), cancellationToken);
    }

    /// <summary>GET of one object: 404 when the caller's tenant has none by that id, else the object with its ETag.</summary>
    public static IResult Found<TEntry, TResource>(HttpContext http, TEntry? entry, string id, Func<TEntry, Guid> stamp, Func<TEntry, TResource> resource)
        where TEntry : class
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(stamp);
        ArgumentNullException.ThrowIfNull(resource);
        if (entry is null)
        {
            return GraphResults.NotFound(id);
        }

        http.Response.Headers.ETag = GraphResults.ETag(stamp(entry));
        return Results.Json(resource(entry));
    }

    /// <summary>Whether an object may be changed or deleted: not when the caller's tenant has none by that id (404) or If-Match names another version (412).</summary>
    public static bool CanWrite<TEntry>(
        HttpContext http, [NotNullWhen(true)] TEntry? entry, string id, Func<TEntry, Guid> stamp, [NotNullWhen(false)] out IResult? refusal)
        where TEntry : class
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(stamp);
        refusal = entry is null ? GraphResults.NotFound(id)
            : !GraphResults.IfMatchAllows(http.Request, stamp(entry)) ? GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed)
            : null;
        return refusal is null;
    }

    /// <summary>
    /// Records the change in the audit log and saves both, moving the tenant's version in the same transaction; then
    /// <paramref name="respond"/> gives the answer (it runs only once the change is saved).
    /// </summary>
    public static async Task<IResult> SaveAsync(
        HttpContext http, TesseraDbContext db, AuditLog audit, string activity, AuditTarget target, Func<IResult> respond)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(respond);
        var caller = http.Caller();
        await audit.RecordAsync(caller, Category, activity, target, http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            await BumpVersionAsync(db, caller.TenantId, http.RequestAborted);
            return respond();
        });
    }

    /// <summary><paramref name="result"/>, with the object's new version as its ETag.</summary>
    public static IResult WithETag(HttpContext http, Guid stamp, IResult result)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.ETag = GraphResults.ETag(stamp);
        return result;
    }

    /// <summary>The first id the policy names that does not exist in the tenant, as an error; null when all do.</summary>
    public static async Task<TesseraError?> UnknownReferenceAsync(TesseraDbContext db, Guid tenantId, ConditionalAccessPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var references = ConditionalAccessDocuments.References(policy);
        if (references.Users.Count > 0)
        {
            var found = await db.Users.AsNoTracking().Where(u => u.TenantId == tenantId && references.Users.Contains(u.Id)).Select(u => u.Id).ToListAsync(cancellationToken);
            var missing = references.Users.FirstOrDefault(id => !found.Contains(id));
            if (missing != Guid.Empty)
            {
                return ConditionalAccessErrors.ReferenceUnknown.With("conditions.users", missing, "a user");
            }
        }

        if (references.Groups.Count > 0)
        {
            var found = await db.Groups.AsNoTracking().Where(g => g.TenantId == tenantId && references.Groups.Contains(g.Id)).Select(g => g.Id).ToListAsync(cancellationToken);
            var missing = references.Groups.FirstOrDefault(id => !found.Contains(id));
            if (missing != Guid.Empty)
            {
                return ConditionalAccessErrors.ReferenceUnknown.With("conditions.users (groups)", missing, "a group");
            }
        }

        var unknownRole = references.RoleTemplates.FirstOrDefault(id => AdminRoles.Find(id) is null);
        if (unknownRole != Guid.Empty)
        {
            return ConditionalAccessErrors.ReferenceUnknown.With("conditions.users (roles)", unknownRole, "a built-in admin role template (GET /admin/v1/roleManagement/directory/roleDefinitions)");
        }

        if (references.Applications.Count > 0)
        {
            var own = await db.Applications.AsNoTracking().Where(a => a.TenantId == tenantId && references.Applications.Contains(a.AppId)).Select(a => a.AppId).ToListAsync(cancellationToken);
            var consented = await db.TenantServicePrincipals.AsNoTracking().Where(p => p.TenantId == tenantId && references.Applications.Contains(p.AppId)).Select(p => p.AppId).ToListAsync(cancellationToken);
            var missing = references.Applications.FirstOrDefault(id => !own.Contains(id) && !consented.Contains(id));
            if (missing != Guid.Empty)
            {
                return ConditionalAccessErrors.ReferenceUnknown.With("conditions.applications", missing, "the app id of an application or service principal");
            }
        }

        if (references.NamedLocations.Count > 0)
        {
            var found = await db.IpNamedLocations.AsNoTracking().Where(l => l.TenantId == tenantId && references.NamedLocations.Contains(l.Id)).Select(l => l.Id).ToListAsync(cancellationToken);
            var missing = references.NamedLocations.FirstOrDefault(id => !found.Contains(id));
            if (missing != Guid.Empty)
            {
                return ConditionalAccessErrors.ReferenceUnknown.With("conditions.locations", missing, "a named location");
            }
        }

        if (references.AuthenticationContexts.Count > 0)
        {
            var found = await db.AuthenticationContexts.AsNoTracking().Where(c => c.TenantId == tenantId && references.AuthenticationContexts.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken);
            var missing = references.AuthenticationContexts.FirstOrDefault(id => !found.Contains(id));
            if (missing is not null)
            {
                return ConditionalAccessErrors.ReferenceUnknown.With("conditions.applications.includeAuthenticationContextClassReferences", missing,
                    "an authentication context (create it with PATCH /admin/v1/identity/conditionalAccess/authenticationContextClassReferences/" + missing + ")");
            }
        }

        return null;
    }

    /// <summary>The admin API's app id in the tenant: what an administrator signs in to.</summary>
    public static Task<Guid> AdminApiAppIdAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
        => db.Applications.AsNoTracking().Where(a => a.TenantId == tenantId && a.IdentifierUris.Contains(AdminPermissions.ApiIdentifier))
            .Select(a => a.AppId).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Every Global Administrator signing in to the admin API with a password only, long ago, from nowhere known.</summary>
    public static async Task<IReadOnlyList<SignInConditions>> AdministratorSignInsAsync(TesseraDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var adminApi = await AdminApiAppIdAsync(db, tenantId, cancellationToken);
        var admins = await db.DirectoryRoleAssignments.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.RoleDefinitionId == AdminRoles.GlobalAdministrator.TemplateId)
            .Join(db.Users.Where(u => u.AccountEnabled), a => a.PrincipalId, u => u.Id, (a, u) => u.Id)
            .Distinct().ToListAsync(cancellationToken);
        var signIns = new List<SignInConditions>(admins.Count);
        foreach (var admin in admins)
        {
            signIns.Add(await TenantPolicies.WithDirectoryAsync(db, tenantId, new SignInConditions
            {
                UserId = admin,
                ApplicationId = adminApi,
                AuthenticationMethods = new HashSet<string>(["pwd"], StringComparer.Ordinal),
                AuthenticatedAt = now.AddDays(-400),
                Now = now,
            }, cancellationToken));
        }

        return signIns;
    }

    /// <summary>
    /// The caller's own current sign-in to the admin API, once per client app type it might be using: the person (with
    /// their groups and roles) or the application, its token's <c>amr</c> and <c>auth_time</c>, and its address.
    /// </summary>
    public static async Task<IReadOnlyList<SignInConditions>> CallerSignInsAsync(HttpContext http, TesseraDbContext db, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(http);
        var caller = http.Caller();
        var authentication = await http.AuthenticateAsync(AdminApiSetup.Scheme);
        var principal = authentication.Principal;
        var methods = principal?.FindAll("amr").Select(c => c.Value).ToHashSet(StringComparer.Ordinal) ?? [];
        DateTimeOffset? authenticatedAt = long.TryParse(principal?.FindFirst("auth_time")?.Value, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        var address = http.Connection.RemoteIpAddress;
        var baseline = new SignInConditions
        {
            UserId = caller.IsApplication ? null : caller.ObjectId,
            ServicePrincipalAppId = caller.IsApplication ? caller.ObjectId : null,
            ApplicationId = await AdminApiAppIdAsync(db, caller.TenantId, http.RequestAborted),
            IpAddress = Tessera.Policy.SignIns.ClientAddress.Normalize(address),
            AuthenticationMethods = methods,
            AuthenticatedAt = authenticatedAt,
            ClientApp = caller.IsApplication ? ClientAppType.Other : ClientAppType.Browser,
            Now = now,
        };
        var signIn = await TenantPolicies.WithDirectoryAsync(db, caller.TenantId, baseline, http.RequestAborted);
        return caller.IsApplication ? [signIn] : [signIn, signIn with { ClientApp = ClientAppType.MobileAppsAndDesktopClients }];
    }

    /// <summary>What the caller's sign-in would meet, in words, for the self-lockout refusal.</summary>
    public static string Describe(PolicyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return string.Join(" ", result.Explanation);
    }
}
