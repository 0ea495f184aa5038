using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.SharedSignals;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Clients;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/servicePrincipals</c>: each application's standing in the tenant (Graph's shapes), and the app role assignments
/// that grant application permissions and admit users (<c>appRoleAssignments</c>, <c>appRoleAssignedTo</c>, and
/// <c>/users/{id}/appRoleAssignments</c>).
/// </summary>
/// <remarks>
/// A service principal is the tenant-local face of an application registration: one per application, and its object
/// id IS the application's appId. So an assignment's <c>principalId</c> for an application, the <c>oid</c> of its
/// app-only tokens and an assignment's <c>resourceId</c> are all app ids, as they were before this resource existed.
/// Its own state is two switches kept on the registration: <c>accountEnabled</c> (false: the application gets no
/// tokens and no token is issued for it) and <c>appRoleAssignmentRequired</c> (only assigned users and applications
/// may sign in to it or get tokens for it). Everything else it shows is read from the registration; the version
/// (ETag) is the registration's.
/// A multitenant application of another tenant has a service principal here once consent here added it
/// (<see cref="TenantServicePrincipal"/>): listed with the tenant's own, with its own switches and version, and the
/// only kind that can be deleted, which takes the application out of the tenant with its grants and assignments.
/// </remarks>
public static class ServicePrincipalsApi
{
    private const string Category = "ApplicationManagement";
    private static readonly string[] Writable = ["accountEnabled", "appRoleAssignmentRequired"];

    private static readonly Dictionary<string, Expression<Func<Application, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = a => a.AppId,
        ["appId"] = a => a.AppId,
        ["displayName"] = a => a.DisplayName,
        ["accountEnabled"] = a => a.ServicePrincipalEnabled,
        ["appRoleAssignmentRequired"] = a => a.AppRoleAssignmentRequired,
    };

    public static RouteGroupBuilder MapServicePrincipals(this RouteGroupBuilder api)
    {
        var principals = api.MapGroup("/servicePrincipals");
        principals.MapGet("/", ListAsync).RequirePermission(AdminPermissions.ApplicationReadAll);
        principals.MapGet("/{id:guid}", GetAsync).RequirePermission(AdminPermissions.ApplicationReadAll);
        principals.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(AdminPermissions.ApplicationReadWriteAll);
        principals.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(AdminPermissions.ApplicationReadWriteAll);
        api.MapGet("/servicePrincipals(appId='{appId:guid}')", GetByAppIdAsync).RequirePermission(AdminPermissions.ApplicationReadAll);
        AppRoleAssignmentsApi.Map(api, principals);
        return api;
    }

    /// <summary>The service principal <paramref name="id"/> (an appId) of the caller's tenant.</summary>
    public static IQueryable<Application> InTenant(TesseraDbContext db, Guid tenantId, Guid id)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Applications.Where(a => a.TenantId == tenantId && a.AppId == id);
    }

    /// <summary>Whether the service principal is the admin API's own.</summary>
    public static bool IsAdminApi(Application app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.IdentifierUris.Contains(AdminPermissions.ApiIdentifier);
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<Application>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var tenantId = http.Caller().TenantId;
        var visible = db.Applications.AsNoTracking()
            .Where(a => a.TenantId == tenantId || db.TenantServicePrincipals.Any(p => p.TenantId == tenantId && p.AppId == a.AppId));
        return await query!.RespondAsync(http.Request, visible, a => a.AppId, async (page, cancellationToken) =>
        {
            var ids = page.Where(a => a.TenantId != tenantId).Select(a => a.AppId).ToList();
            var presences = await db.TenantServicePrincipals.AsNoTracking()
                .Where(p => p.TenantId == tenantId && ids.Contains(p.AppId))
                .ToDictionaryAsync(p => p.AppId, cancellationToken);
            return [.. page.Select(a => ServicePrincipalResource.From(a, presences.GetValueOrDefault(a.AppId)))];
        }, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var (app, presence) = await FindAsync(db, http.Caller().TenantId, id, http.RequestAborted);
        if (app is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        http.Response.Headers.ETag = GraphResults.ETag(presence?.ConcurrencyStamp ?? app.ConcurrencyStamp);
        return Results.Json(ServicePrincipalResource.From(app, presence));
    }

    /// <summary>
    /// The service principal <paramref name="id"/> as the tenant sees it: a registration of its own (tracked), or a
    /// multitenant application of another tenant with its presence here (the presence tracked, the registration not).
    /// </summary>
    private static async Task<(Application? App, TenantServicePrincipal? Presence)> FindAsync(
        TesseraDbContext db, Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var home = await InTenant(db, tenantId, id).FirstOrDefaultAsync(cancellationToken);
        if (home is not null)
        {
            return (home, null);
        }

        var presence = await db.TenantServicePrincipals.FirstOrDefaultAsync(p => p.TenantId == tenantId && p.AppId == id, cancellationToken);
        var app = presence is null ? null : await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.AppId == id, cancellationToken);
        return app is null ? (null, null) : (app, presence);
    }

    /// <summary>
    /// Removes a multitenant application of another tenant from this one: its service principal, the delegated
    /// permission grants and app role assignments it holds here. Its tokens here stop at the next refresh (the token
    /// endpoint refuses an application without a service principal). Consent brings it back.
    /// </summary>
    private static async Task<IResult> DeleteAsync(
        Guid id, HttpContext http, TesseraDbContext db, ClientDirectory clients, AuditLog audit, SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var (app, presence) = await FindAsync(db, caller.TenantId, id, http.RequestAborted);
        if (app is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        if (presence is null)
        {
            return GraphResults.BadRequest(RegistrationErrors.HomeServicePrincipalCannotBeDeleted.With(app.DisplayName));
        }

        if (!GraphResults.IfMatchAllows(http.Request, presence.ConcurrencyStamp))
        {
            return GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed);
        }

        var grants = await db.OAuth2PermissionGrants.Where(g => g.TenantId == caller.TenantId && g.ClientId == id).ToListAsync(http.RequestAborted);
        var assignments = await db.AppRoleAssignments.Where(a => a.TenantId == caller.TenantId && a.PrincipalId == id).ToListAsync(http.RequestAborted);
        db.OAuth2PermissionGrants.RemoveRange(grants);
        db.AppRoleAssignments.RemoveRange(assignments);
        db.TenantServicePrincipals.Remove(presence);
        await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.ServicePrincipalDeleted, app.AppId, InitiatingEntities.Admin, http.RequestAborted);
        await audit.RecordAsync(caller, Category, "Remove service principal",
            new AuditTarget(app.AppId.ToString(), "ServicePrincipal", app.DisplayName,
            [
                new ModifiedProperty("DelegatedPermissionGrants", string.Join("; ", grants.Select(g => g.Scope)), null),
                new ModifiedProperty("AppRoleAssignments", assignments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), null),
            ]),
            http.RequestAborted);
        var result = await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
        clients.Forget(id, caller.TenantId);
        return result;
    }

    // The service principal's id is its appId: both addresses name the same object.
    private static Task<IResult> GetByAppIdAsync(Guid appId, HttpContext http, TesseraDbContext db) => GetAsync(appId, http, db);

    private static async Task<IResult> UpdateAsync(
        Guid id, HttpContext http, TesseraDbContext db, ClientDirectory clients, AuditLog audit, SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var (app, presence) = await FindAsync(db, caller.TenantId, id, http.RequestAborted);
        if (app is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        if (!GraphResults.IfMatchAllows(http.Request, presence?.ConcurrencyStamp ?? app.ConcurrencyStamp))
        {
            return GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed);
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var readOnly = json.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && !Writable.Contains(name, StringComparer.Ordinal));
        if (readOnly is not null)
        {
            return GraphResults.BadRequest(RegistrationErrors.ServicePrincipalPropertyReadOnly.With(readOnly));
        }

        var enabled = ApiBodies.OptionalBool(json, "accountEnabled", out var error);
        var required = error is null ? ApiBodies.OptionalBool(json, "appRoleAssignmentRequired", out error) : null;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var wasEnabled = presence?.AccountEnabled ?? app.ServicePrincipalEnabled;
        var wasRequired = presence?.AppRoleAssignmentRequired ?? app.AppRoleAssignmentRequired;
        if (enabled == false && wasEnabled)
        {
            if (IsAdminApi(app))
            {
                return GraphResults.BadRequest(RegistrationErrors.AdminApiCannotBeDisabled);
            }

            // An application calls as itself; a person calls through a client. Either way, that client is the caller's.
            if (Guid.TryParse(caller.ClientId, out var callerClient) && callerClient == app.AppId)
            {
                return GraphResults.BadRequest(RegistrationErrors.OwnServicePrincipalCannotBeDisabled.With(app.AppId));
            }
        }

        if (required == true && IsAdminApi(app))
        {
            return GraphResults.BadRequest(RegistrationErrors.AdminApiAssignmentRequired);
        }

        var modified = new List<ModifiedProperty>();
        if (enabled is { } accountEnabled && accountEnabled != wasEnabled)
        {
            modified.Add(new ModifiedProperty("accountEnabled", wasEnabled.ToString(), accountEnabled.ToString()));
        }

        if (required is { } assignmentRequired && assignmentRequired != wasRequired)
        {
            modified.Add(new ModifiedProperty("appRoleAssignmentRequired", wasRequired.ToString(), assignmentRequired.ToString()));
        }

        // A multitenant application of another tenant has its switches here on its presence, never on the registration.
        if (presence is not null)
        {
            presence.AccountEnabled = enabled ?? presence.AccountEnabled;
            presence.AppRoleAssignmentRequired = required ?? presence.AppRoleAssignmentRequired;
            presence.ConcurrencyStamp = Guid.NewGuid();
        }
        else
        {
            app.ServicePrincipalEnabled = enabled ?? app.ServicePrincipalEnabled;
            app.AppRoleAssignmentRequired = required ?? app.AppRoleAssignmentRequired;
            app.ConcurrencyStamp = Guid.NewGuid();
        }

        if (enabled == false && wasEnabled)
        {
            await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.ServicePrincipalDisabled, app.AppId, InitiatingEntities.Admin, http.RequestAborted);
        }

        await audit.RecordAsync(caller, Category, "Update service principal",
            new AuditTarget(app.AppId.ToString(), "ServicePrincipal", app.DisplayName, modified), http.RequestAborted);
        var result = await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));

        // After the commit, so that no token request can cache the old state again; other nodes follow within
        // ClientDirectory.Lifetime. The API side (ResourceDirectory) is not cached and changes at once.
        clients.Forget(app.AppId);
        clients.Forget(app.AppId, caller.TenantId);
        return result;
    }
}
