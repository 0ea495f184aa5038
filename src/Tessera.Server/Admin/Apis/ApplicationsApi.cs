using System.Linq.Expressions;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Directory;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/applications</c>: application registrations, their credentials and owners (Graph's shapes and actions).
/// Every write checks the registration rules, keeps at least one owner, and records an audit entry in the same save.
/// </summary>
public static class ApplicationsApi
{
    private const string Category = "ApplicationManagement";
    internal static readonly string[] Read = [AdminPermissions.ApplicationReadAll, AdminPermissions.ApplicationReadWriteOwnedBy];
    internal static readonly string[] Write = [AdminPermissions.ApplicationReadWriteAll, AdminPermissions.ApplicationReadWriteOwnedBy];

    private static readonly Dictionary<string, Expression<Func<Application, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = a => a.Id,
        ["appId"] = a => a.AppId,
        ["displayName"] = a => a.DisplayName,
        ["signInAudience"] = a => a.SignInAudience,
    };

    public static RouteGroupBuilder MapApplications(this RouteGroupBuilder api)
    {
        var apps = api.MapGroup("/applications");
        apps.MapGet("/", ListAsync).RequirePermission(Read);
        apps.MapPost("/", CreateAsync).RequirePermission(Write);
        apps.MapGet("/{id:guid}", GetAsync).RequirePermission(Read);
        apps.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(Write);
        apps.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(Write);
        apps.MapPost("/{id:guid}/addPassword", AddPasswordAsync).RequirePermission(Write);
        apps.MapPost("/{id:guid}/removePassword", RemovePasswordAsync).RequirePermission(Write);
        apps.MapGet("/{id:guid}/owners", ListOwnersAsync).RequirePermission(Read);
        apps.MapPost("/{id:guid}/owners/$ref", AddOwnerAsync).RequirePermission(Write);
        apps.MapDelete("/{id:guid}/owners/{ownerId:guid}/$ref", RemoveOwnerAsync).RequirePermission(Write);
        FederatedCredentialsApi.Map(apps);
        ExpiringCredentialsApi.Map(apps);
        api.MapGet("/applications(appId='{appId:guid}')", GetByAppIdAsync).RequirePermission(Read);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var caller = http.Caller();
        var (query, error) = GraphQuery<Application>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var visible = Visible(db, caller).Include(a => a.PasswordCredentials).Include(a => a.KeyCredentials).AsSplitQuery();
        var publisherDomain = await ApplicationResource.PublisherDomainAsync(db, caller.TenantId, http.RequestAborted);
        return await query!.RespondAsync(http.Request, visible, a => a.Id, a => ApplicationResource.From(a, publisherDomain), http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var app = await Load(db, http.Caller()).FirstOrDefaultAsync(a => a.Id == id, http.RequestAborted);
        return await RespondAsync(http, db, app, id.ToString());
    }

    private static async Task<IResult> GetByAppIdAsync(Guid appId, HttpContext http, TesseraDbContext db)
    {
        var app = await Load(db, http.Caller()).FirstOrDefaultAsync(a => a.AppId == appId, http.RequestAborted);
        return await RespondAsync(http, db, app, appId.ToString());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, TesseraDbContext db, ApplicationRegistrar registrar, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var app = new Application
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            AppId = Guid.NewGuid(),
            DisplayName = string.Empty,
            CreatedDateTime = time.GetUtcNow(),
        };
        var changes = await ApplicationChanges.ApplyAsync(db, app, body.Json!, creating: true, http.RequestAborted);
        if (changes.Error is not null)
        {
            return GraphResults.BadRequest(changes.Error);
        }

        db.Applications.Add(app);
        db.ApplicationOwners.Add(new ApplicationOwner { ApplicationId = app.Id, OwnerId = caller.ObjectId, OwnerType = caller.IsApplication ? "ServicePrincipal" : "User" });
        await audit.RecordAsync(caller, Category, "Add application", new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, changes.Modified), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            await registrar.SyncClientAsync(app, http.RequestAborted);
            http.Response.Headers.ETag = GraphResults.ETag(app.ConcurrencyStamp);
            var publisherDomain = await ApplicationResource.PublisherDomainAsync(db, caller.TenantId, http.RequestAborted);
            return Results.Json(ApplicationResource.From(app, publisherDomain), statusCode: StatusCodes.Status201Created);
        });
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, TesseraDbContext db, ApplicationRegistrar registrar, AuditLog audit, Clients.ClientDirectory clients)
    {
        var caller = http.Caller();
        var (app, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var changes = await ApplicationChanges.ApplyAsync(db, app!, body.Json!, creating: false, http.RequestAborted);
        if (changes.Error is not null)
        {
            return GraphResults.BadRequest(changes.Error);
        }

        app!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Update application", new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, changes.Modified), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            await registrar.SyncClientAsync(app, http.RequestAborted);
            clients.Forget(app.AppId);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext http, TesseraDbContext db, OpenIddict.Abstractions.IOpenIddictApplicationManager clients, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var doomed = app!;
        db.Applications.Remove(doomed);
        db.ApplicationOwners.RemoveRange(db.ApplicationOwners.Where(o => o.ApplicationId == doomed.Id));
        db.AppRoleAssignments.RemoveRange(db.AppRoleAssignments.Where(a => a.PrincipalId == doomed.AppId || a.ResourceAppId == doomed.AppId));
        db.DelegatedPermissionClassifications.RemoveRange(db.DelegatedPermissionClassifications.Where(c => c.ResourceId == doomed.AppId));
        await audit.RecordAsync(caller, Category, "Delete application", new AuditTarget(doomed.Id.ToString(), "Application", doomed.DisplayName), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            if (await clients.FindByClientIdAsync(doomed.AppId.ToString("D"), http.RequestAborted) is { } client)
            {
                await clients.DeleteAsync(client, http.RequestAborted);
            }

            return Results.NoContent();
        });
    }

    private static async Task<IResult> AddPasswordAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var (app, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http, allowEmpty: true);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var request = body.Json?["passwordCredential"] as JsonObject ?? [];
        var displayName = ApiBodies.OptionalString(request, "displayName", 256, out var nameError);
        var requestedEnd = ApiBodies.OptionalDate(request, "endDateTime", out var endError);
        if ((nameError ?? endError) is { } invalid)
        {
            return GraphResults.BadRequest(invalid);
        }

        if (await AppManagementPolicyApi.SecretsForbiddenAsync(db, caller.TenantId, http.RequestAborted))
        {
            return GraphResults.BadRequest(Tessera.Policy.Workloads.WorkloadErrors.SecretsForbidden);
        }

        var now = time.GetUtcNow();
        var tenantMaximum = await AppManagementPolicyApi.SecretLifetimeAsync(db, caller.TenantId, http.RequestAborted);
        var (end, lifetimeError) = RegistrationRules.SecretEnd(now, requestedEnd, tenantMaximum);
        if (lifetimeError is not null)
        {
            return GraphResults.BadRequest(lifetimeError);
        }

        var secret = Tessera.Policy.Clients.ClientSecrets.Generate();
        var credential = new PasswordCredential
        {
            KeyId = Guid.NewGuid(),
            ApplicationId = app!.Id,
            DisplayName = displayName,
            Hint = Tessera.Policy.Clients.ClientSecrets.Hint(secret),
            SecretHash = Tessera.Policy.Clients.ClientSecrets.Hash(secret),
            StartDateTime = now,
            EndDateTime = end!.Value,
        };
        db.PasswordCredentials.Add(credential);
        app.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Update application – Certificates and secrets management",
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName,
                [new ModifiedProperty("passwordCredentials", null, JsonSerializer.Serialize(new { credential.KeyId, credential.Hint, credential.EndDateTime }))]),
            http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http,
            () => Task.FromResult(Results.Json(ApplicationResource.PasswordCredentialResource(credential, secret))));
    }

    private static async Task<IResult> RemovePasswordAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var keyId = ApiBodies.RequiredGuid(body.Json!, "keyId", out var keyError);
        if (keyError is not null)
        {
            return GraphResults.BadRequest(keyError);
        }

        var credential = app!.PasswordCredentials.FirstOrDefault(c => c.KeyId == keyId);
        if (credential is null)
        {
            return GraphResults.NotFound(keyId.ToString());
        }

        db.PasswordCredentials.Remove(credential);
        app.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Update application – Certificates and secrets management",
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName,
                [new ModifiedProperty("passwordCredentials", JsonSerializer.Serialize(new { credential.KeyId, credential.Hint }), null)]),
            http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> ListOwnersAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var app = await Load(db, http.Caller()).FirstOrDefaultAsync(a => a.Id == id, http.RequestAborted);
        if (app is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        var owners = await db.ApplicationOwners.AsNoTracking().Where(o => o.ApplicationId == id).ToListAsync(http.RequestAborted);
        var userIds = owners.Where(o => o.OwnerType == "User").Select(o => o.OwnerId).ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, http.RequestAborted);
        return Results.Json(new
        {
            value = owners.Select(o => o.OwnerType == "User" && users.TryGetValue(o.OwnerId, out var user)
                ? (object)new Dictionary<string, object?> { ["@odata.type"] = "#microsoft.graph.user", ["id"] = user.Id, ["displayName"] = user.DisplayName, ["userPrincipalName"] = user.UserName }
                : new Dictionary<string, object?> { ["@odata.type"] = "#microsoft.graph.servicePrincipal", ["id"] = o.OwnerId, ["appId"] = o.OwnerId }),
        });
    }

    private static async Task<IResult> AddOwnerAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        // Graph sends {"@odata.id": "https://.../directoryObjects/{id}"}; a bare {"id": ...} is accepted too.
        var reference = ApiBodies.Text(body.Json!["@odata.id"] ?? body.Json["id"]) ?? string.Empty;
        if (!Guid.TryParse(reference.Split('/').Last(), out var ownerId))
        {
            return GraphResults.BadRequest(RegistrationErrors.Malformed.With("@odata.id must name a user by id (…/directoryObjects/{id})."));
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == ownerId && u.TenantId == caller.TenantId, http.RequestAborted);
        if (user is null)
        {
            return GraphResults.NotFound(ownerId.ToString());
        }

        if (!await db.ApplicationOwners.AnyAsync(o => o.ApplicationId == id && o.OwnerId == ownerId, http.RequestAborted))
        {
            db.ApplicationOwners.Add(new ApplicationOwner { ApplicationId = id, OwnerId = ownerId, OwnerType = "User" });
            app!.ConcurrencyStamp = Guid.NewGuid();
            await audit.RecordAsync(caller, Category, "Add owner to application",
                new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, [new ModifiedProperty("owners", null, user.UserName)]), http.RequestAborted);
        }

        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> RemoveOwnerAsync(Guid id, Guid ownerId, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var owners = await db.ApplicationOwners.Where(o => o.ApplicationId == id).ToListAsync(http.RequestAborted);
        var owner = owners.FirstOrDefault(o => o.OwnerId == ownerId);
        if (owner is null)
        {
            return GraphResults.NotFound(ownerId.ToString());
        }

        if (owners.Count == 1)
        {
            return GraphResults.BadRequest(RegistrationErrors.LastOwner);
        }

        db.ApplicationOwners.Remove(owner);
        app!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Remove owner from application",
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, [new ModifiedProperty("owners", ownerId.ToString(), null)]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    /// <summary>The applications of the caller's tenant the caller may see: all of them, or only its own with OwnedBy.</summary>
    internal static IQueryable<Application> Visible(TesseraDbContext db, AdminCaller caller)
    {
        var inTenant = db.Applications.Where(a => a.TenantId == caller.TenantId);
        return caller.Has(AdminPermissions.ApplicationReadAll)
            ? inTenant
            : inTenant.Where(a => db.ApplicationOwners.Any(o => o.ApplicationId == a.Id && o.OwnerId == caller.ObjectId));
    }

    private static IQueryable<Application> Load(TesseraDbContext db, AdminCaller caller)
        => Visible(db, caller).AsNoTracking().Include(a => a.PasswordCredentials).Include(a => a.KeyCredentials).AsSplitQuery();

    private static async Task<IResult> RespondAsync(HttpContext http, TesseraDbContext db, Application? app, string id)
    {
        if (app is null)
        {
            return GraphResults.NotFound(id);
        }

        http.Response.Headers.ETag = GraphResults.ETag(app.ConcurrencyStamp);
        return Results.Json(ApplicationResource.From(app, await ApplicationResource.PublisherDomainAsync(db, app.TenantId, http.RequestAborted)));
    }

    /// <summary>Loads an application for a change: it must exist in the tenant, the caller must be allowed, and If-Match must hold.</summary>
    internal static async Task<(Application? App, IResult? Denied)> LoadForWriteAsync(TesseraDbContext db, AdminCaller caller, Guid id, HttpContext http)
    {
        var app = await db.Applications.Include(a => a.PasswordCredentials).Include(a => a.KeyCredentials).AsSplitQuery()
            .FirstOrDefaultAsync(a => a.Id == id && a.TenantId == caller.TenantId, http.RequestAborted);
        if (app is null)
        {
            return (null, GraphResults.NotFound(id.ToString()));
        }

        if (!caller.Has(AdminPermissions.ApplicationReadWriteAll) &&
            !await db.ApplicationOwners.AnyAsync(o => o.ApplicationId == id && o.OwnerId == caller.ObjectId, http.RequestAborted))
        {
            // Not revealing whether an application the caller may not read exists.
            return caller.Has(AdminPermissions.ApplicationReadAll)
                ? (null, GraphResults.Forbidden(AdminErrors.NotOwner))
                : (null, GraphResults.NotFound(id.ToString()));
        }

        // The admin API's own registration belongs to the platform: its roles, scopes and identifier are what every
        // admin permission means, so no caller may rewrite them (start-up keeps them current).
        if (app.IdentifierUris.Contains(AdminPermissions.ApiIdentifier))
        {
            return (null, GraphResults.Forbidden(AdminErrors.SystemRegistration));
        }

        // Whoever can add a credential to an application can act as it: only a caller holding every admin permission
        // the application holds may change it, or Application.ReadWrite.All would be one secret away from the top.
        var held = await AdminCallers.AdminApiRolesHeldAsync(db, caller.TenantId, app.AppId, http.RequestAborted);
        var beyondCaller = held.FirstOrDefault(permission => !caller.Has(permission));
        if (beyondCaller is not null)
        {
            return (null, GraphResults.Forbidden(AdminErrors.PrivilegedApplication.With(beyondCaller)));
        }

        return GraphResults.IfMatchAllows(http.Request, app.ConcurrencyStamp)
            ? (app, null)
            : (null, GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed));
    }
}
