using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/servicePrincipals/{id}/delegatedPermissionClassifications</c>: an administrator's risk rating of each delegated
/// permission an API exposes (Graph's <c>delegatedPermissionClassification</c>, rated <c>low</c>, <c>medium</c> or
/// <c>high</c>). Under the default user consent policy users may consent only to permissions rated low, so a rating
/// is a consent decision: writing one needs <c>Policy.ReadWrite.PermissionGrant</c> and is audited on the API's
/// service principal.
/// </summary>
public static class PermissionClassificationsApi
{
    private const string Category = "ApplicationManagement";
    private const string Property = "delegatedPermissionClassifications";
    private static readonly string[] Read = [AdminPermissions.PolicyReadAll, AdminPermissions.ApplicationReadAll];

    private static readonly Dictionary<string, Expression<Func<DelegatedPermissionClassification, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = c => c.Id,
        ["permissionId"] = c => c.PermissionId,
        ["permissionName"] = c => c.PermissionName,
        ["classification"] = c => c.Classification,
    };

    public static RouteGroupBuilder MapPermissionClassifications(this RouteGroupBuilder api)
    {
        var classifications = api.MapGroup("/servicePrincipals/{id:guid}/delegatedPermissionClassifications");
        classifications.MapGet("/", ListAsync).RequirePermission(Read);
        classifications.MapPost("/", AddAsync).RequirePermission(AdminPermissions.PolicyReadWritePermissionGrant);
        classifications.MapDelete("/{classificationId:guid}", DeleteAsync).RequirePermission(AdminPermissions.PolicyReadWritePermissionGrant);
        return api;
    }

    public static object Resource(DelegatedPermissionClassification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return new Dictionary<string, object?>
        {
            ["id"] = classification.Id,
            ["permissionId"] = classification.PermissionId,
            ["permissionName"] = classification.PermissionName,
            ["classification"] = classification.Classification,
        };
    }

    private static async Task<IResult> ListAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        if (!await ServicePrincipalsApi.InTenant(db, tenantId, id).AnyAsync(http.RequestAborted))
        {
            return GraphResults.NotFound(id.ToString());
        }

        var (query, error) = GraphQuery<DelegatedPermissionClassification>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var ofApi = db.DelegatedPermissionClassifications.AsNoTracking().Where(c => c.TenantId == tenantId && c.ResourceId == id);
        return await query!.RespondAsync(http.Request, ofApi, c => c.Id, Resource, http.RequestAborted);
    }

    private static async Task<IResult> AddAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var api = await ServicePrincipalsApi.InTenant(db, caller.TenantId, id).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (api is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var permissionIdText = ApiBodies.OptionalString(json, "permissionId", 64, out var error);
        var permissionName = error is null ? ApiBodies.OptionalString(json, "permissionName", 256, out error) : null;
        var classificationText = error is null ? ApiBodies.OptionalString(json, "classification", 64, out error) : null;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var (scope, scopeError) = FindScope(api, permissionIdText, permissionName);
        if (scopeError is not null)
        {
            return GraphResults.BadRequest(scopeError);
        }

        var (classification, classificationError) = ConsentSettingsRules.Classification(classificationText);
        if (classificationError is not null)
        {
            return GraphResults.BadRequest(classificationError);
        }

        var existing = await db.DelegatedPermissionClassifications.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ResourceId == id && c.PermissionId == scope!.Id, http.RequestAborted);
        if (existing is not null)
        {
            return GraphResults.Error(StatusCodes.Status409Conflict,
                RegistrationErrors.ClassificationExists.With(scope!.Value, api.DisplayName, existing.Classification, existing.Id));
        }

        var created = new DelegatedPermissionClassification
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            ResourceId = id,
            PermissionId = scope!.Id,
            PermissionName = scope.Value,
            Classification = classification!,
        };
        db.DelegatedPermissionClassifications.Add(created);
        await audit.RecordAsync(caller, Category, "Add delegated permission classification", new AuditTarget(api.AppId.ToString(), "ServicePrincipal", api.DisplayName,
            [new ModifiedProperty(Property, null, Describe(created))]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.Json(Resource(created), statusCode: StatusCodes.Status201Created)));
    }

    private static async Task<IResult> DeleteAsync(Guid id, Guid classificationId, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var api = await ServicePrincipalsApi.InTenant(db, caller.TenantId, id).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        var classification = api is null
            ? null
            : await db.DelegatedPermissionClassifications.FirstOrDefaultAsync(
                c => c.Id == classificationId && c.ResourceId == id && c.TenantId == caller.TenantId, http.RequestAborted);
        if (classification is null)
        {
            return GraphResults.NotFound(api is null ? id.ToString() : classificationId.ToString());
        }

        db.DelegatedPermissionClassifications.Remove(classification);
        await audit.RecordAsync(caller, Category, "Remove delegated permission classification", new AuditTarget(api!.AppId.ToString(), "ServicePrincipal", api.DisplayName,
            [new ModifiedProperty(Property, Describe(classification), null)]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    /// <summary>
    /// The delegated permission the body names by id, by value, or by both (then they must agree). Values are matched
    /// exactly, as scopes are in token requests.
    /// </summary>
    private static (PermissionScope? Scope, Tessera.Policy.Errors.TesseraError? Error) FindScope(Application api, string? permissionIdText, string? permissionName)
    {
        if (permissionIdText is null && string.IsNullOrWhiteSpace(permissionName))
        {
            return (null, RegistrationErrors.ClassificationPermissionRequired);
        }

        PermissionScope? byId = null;
        if (permissionIdText is not null)
        {
            if (!Guid.TryParse(permissionIdText, out var permissionId))
            {
                return (null, RegistrationErrors.Malformed.With("'permissionId' must be a GUID: the id of one of the API's oauth2PermissionScopes."));
            }

            byId = api.Oauth2PermissionScopes.FirstOrDefault(s => s.Id == permissionId);
            if (byId is null)
            {
                return (null, RegistrationErrors.ClassificationPermissionUnknown.With(permissionIdText, api.DisplayName, api.AppId));
            }
        }

        if (string.IsNullOrWhiteSpace(permissionName))
        {
            return (byId, null);
        }

        var byName = api.Oauth2PermissionScopes.FirstOrDefault(s => string.Equals(s.Value, permissionName.Trim(), StringComparison.Ordinal));
        if (byName is null)
        {
            return (null, RegistrationErrors.ClassificationPermissionUnknown.With(permissionName, api.DisplayName, api.AppId));
        }

        return byId is not null && byId.Id != byName.Id
            ? (null, RegistrationErrors.ClassificationPermissionMismatch.With(permissionIdText!, permissionName, api.DisplayName))
            : (byName, null);
    }

    private static string Describe(DelegatedPermissionClassification classification)
        => $"{classification.PermissionName} ({classification.PermissionId:D}): {classification.Classification}";
}
