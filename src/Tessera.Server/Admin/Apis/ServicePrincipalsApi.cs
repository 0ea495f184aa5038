using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
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

        var inTenant = db.Applications.AsNoTracking().Where(a => a.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, a => a.AppId, ServicePrincipalResource.From, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var app = await InTenant(db, http.Caller().TenantId, id).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (app is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        http.Response.Headers.ETag = GraphResults.ETag(app.ConcurrencyStamp);
        return Results.Json(ServicePrincipalResource.From(app));
    }

    // The service principal's id is its appId: both addresses name the same object.
    private static Task<IResult> GetByAppIdAsync(Guid appId, HttpContext http, TesseraDbContext db) => GetAsync(appId, http, db);

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, TesseraDbContext db, ClientDirectory clients, AuditLog audit)
    {
        var caller = http.Caller();
        var app = await InTenant(db, caller.TenantId, id).FirstOrDefaultAsync(http.RequestAborted);
        if (app is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        if (!GraphResults.IfMatchAllows(http.Request, app.ConcurrencyStamp))
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

        if (enabled == false && app.ServicePrincipalEnabled)
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
        if (enabled is { } accountEnabled && accountEnabled != app.ServicePrincipalEnabled)
        {
            modified.Add(new ModifiedProperty("accountEnabled", app.ServicePrincipalEnabled.ToString(), accountEnabled.ToString()));
            app.ServicePrincipalEnabled = accountEnabled;
        }

        if (required is { } assignmentRequired && assignmentRequired != app.AppRoleAssignmentRequired)
        {
            modified.Add(new ModifiedProperty("appRoleAssignmentRequired", app.AppRoleAssignmentRequired.ToString(), assignmentRequired.ToString()));
            app.AppRoleAssignmentRequired = assignmentRequired;
        }

        app.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Update service principal",
            new AuditTarget(app.AppId.ToString(), "ServicePrincipal", app.DisplayName, modified), http.RequestAborted);
        var result = await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));

        // After the commit, so that no token request can cache the old state again; other nodes follow within
        // ClientDirectory.Lifetime. The API side (ResourceDirectory) is not cached and changes at once.
        clients.Forget(app.AppId);
        return result;
    }
}
