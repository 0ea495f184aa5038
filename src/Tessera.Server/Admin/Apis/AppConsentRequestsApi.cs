using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Consent;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Consent;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/identityGovernance/appConsent/appConsentRequests</c>: what users asked an administrator to approve on the consent
/// page (Graph's <c>appConsentRequest</c>, flattened: one request per user, client and API, with the scopes still
/// pending). Approving grants the scopes for every user of the tenant (an <c>AllPrincipals</c> grant, created or
/// widened), so the user and everyone else sign in without being asked again; denying closes the request. Each
/// request is decided once.
/// </summary>
public static class AppConsentRequestsApi
{
    private const string Category = "ApplicationManagement";

    private static readonly Dictionary<string, Expression<Func<AdminConsentRequest, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = r => r.Id,
        ["status"] = r => r.Status,
        ["appId"] = r => r.ClientId,
        ["resourceId"] = r => r.ResourceId,
    };

    private sealed record Person(Guid Id, string? DisplayName, string? UserPrincipalName);

    public static RouteGroupBuilder MapAppConsentRequests(this RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/identityGovernance/appConsent/appConsentRequests");
        requests.MapGet("/", ListAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadAll);
        requests.MapGet("/{id:guid}", GetAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadAll);
        requests.MapPost("/{id:guid}/approve", ApproveAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        requests.MapPost("/{id:guid}/deny", DenyAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        return api;
    }

    /// <summary>Newest first.</summary>
    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<AdminConsentRequest>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.AdminConsentRequests.AsNoTracking().Where(r => r.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant,
            newestFirst => newestFirst.OrderByDescending(r => r.CreatedDateTime).ThenByDescending(r => r.Id),
            (page, cancellationToken) => ResourcesAsync(db, page, cancellationToken), http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var request = await db.AdminConsentRequests.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Id == id && r.TenantId == http.Caller().TenantId, http.RequestAborted);
        return request is null ? GraphResults.NotFound(id.ToString()) : Results.Json(await ResourceAsync(db, request, http.RequestAborted));
    }

    /// <summary>Grants what the request asks for to every user of the tenant, and closes it as approved.</summary>
    private static async Task<IResult> ApproveAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, PermissionGrants grants, TimeProvider time)
    {
        var caller = http.Caller();
        var (request, refused) = await FindUndecidedAsync(db, caller, id, http.RequestAborted);
        if (refused is not null)
        {
            return refused;
        }

        var client = await ServicePrincipalsApi.InTenant(db, caller.TenantId, request!.ClientId).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        var resource = await ServicePrincipalsApi.InTenant(db, caller.TenantId, request.ResourceId).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (client is null || resource is null)
        {
            return GraphResults.BadRequest(RegistrationErrors.ConsentRequestClientGone.With(client is null ? request.ClientId : request.ResourceId));
        }

        var scopes = request.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (PermissionGrantRules.FirstNotOffered(scopes, PermissionGrantsApi.Offered(resource), ServicePrincipalsApi.IsAdminApi(resource)) is { } gone)
        {
            return GraphResults.BadRequest(RegistrationErrors.ConsentRequestScopeGone.With(gone, resource.DisplayName));
        }

        if (PermissionGrantsApi.RefuseBeyondCaller(caller, resource, scopes) is { } beyond)
        {
            return beyond;
        }

        var grant = await grants.AddAsync(caller.TenantId, client.AppId, resource.AppId, Guid.Empty, scopes, http.RequestAborted);
        var created = db.Entry(grant).State == EntityState.Added;
        var before = created ? null : (string?)db.Entry(grant).Property(g => g.Scope).OriginalValue;
        Decide(request, AdminConsentRequestStatuses.Approved, caller, time);
        await RecordAsync(audit, caller, "Approve admin consent request", request, client.DisplayName, resource.DisplayName, http.RequestAborted);
        if (!string.Equals(before, grant.Scope, StringComparison.Ordinal))
        {
            await PermissionGrantsApi.RecordAsync(audit, caller, created ? "Add delegated permission grant" : "Update delegated permission grant",
                grant, client.DisplayName, before, grant.Scope, http.RequestAborted);
        }

        return await AdminWrites.SaveAsync(db, http, async () => Results.Json(await ResourceAsync(db, request, http.RequestAborted)));
    }

    private static async Task<IResult> DenyAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var (request, refused) = await FindUndecidedAsync(db, caller, id, http.RequestAborted);
        if (refused is not null)
        {
            return refused;
        }

        var names = await db.Applications.AsNoTracking()
            .Where(a => a.TenantId == caller.TenantId && (a.AppId == request!.ClientId || a.AppId == request.ResourceId))
            .ToDictionaryAsync(a => a.AppId, a => a.DisplayName, http.RequestAborted);
        Decide(request!, AdminConsentRequestStatuses.Denied, caller, time);
        await RecordAsync(audit, caller, "Deny admin consent request", request!,
            names.GetValueOrDefault(request!.ClientId), names.GetValueOrDefault(request.ResourceId), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, async () => Results.Json(await ResourceAsync(db, request, http.RequestAborted)));
    }

    /// <summary>The request, tracked, if it is still waiting for a decision; 404 or 409 otherwise.</summary>
    private static async Task<(AdminConsentRequest? Request, IResult? Refused)> FindUndecidedAsync(
        TesseraDbContext db, AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var request = await db.AdminConsentRequests.FirstOrDefaultAsync(r => r.Id == id && r.TenantId == caller.TenantId, cancellationToken);
        if (request is null)
        {
            return (null, GraphResults.NotFound(id.ToString()));
        }

        if (request.Status != AdminConsentRequestStatuses.InProgress)
        {
            var since = request.ReviewedDateTime?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) ?? "an earlier decision";
            return (null, GraphResults.Error(StatusCodes.Status409Conflict, RegistrationErrors.ConsentRequestDecided.With(request.Id, request.Status, since)));
        }

        return (request, null);
    }

    private static void Decide(AdminConsentRequest request, string status, AdminCaller caller, TimeProvider time)
    {
        request.Status = status;
        request.ReviewedById = caller.ObjectId;
        request.ReviewedDateTime = time.GetUtcNow();
        request.ConcurrencyStamp = Guid.NewGuid();
    }

    /// <summary>Logged on the client's service principal, with what was asked for and of which API.</summary>
    private static Task RecordAsync(
        AuditLog audit, AdminCaller caller, string activity, AdminConsentRequest request, string? clientName, string? resourceName,
        CancellationToken cancellationToken)
        => audit.RecordAsync(caller, Category, activity,
            new AuditTarget(request.ClientId.ToString(), ServicePrincipalResource.ServicePrincipalType, clientName,
            [
                new ModifiedProperty("AppConsentRequest.Id", null, request.Id.ToString()),
                new ModifiedProperty("AppConsentRequest.Status", AdminConsentRequestStatuses.InProgress, request.Status),
                new ModifiedProperty("AppConsentRequest.RequestedBy", null, request.RequestedById.ToString()),
                new ModifiedProperty("ConsentAction.Permissions", null,
                    string.Join(", ", request.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => $"{resourceName ?? request.ResourceId.ToString()}: {s}"))),
            ]),
            cancellationToken);

    private static async Task<object> ResourceAsync(TesseraDbContext db, AdminConsentRequest request, CancellationToken cancellationToken)
        => (await ResourcesAsync(db, [request], cancellationToken))[0];

    /// <summary>A page of requests with the names of the applications and people they mention, looked up in three queries.</summary>
    private static async Task<IReadOnlyList<object>> ResourcesAsync(TesseraDbContext db, IReadOnlyList<AdminConsentRequest> page, CancellationToken cancellationToken)
    {
        var appIds = page.SelectMany(r => new[] { r.ClientId, r.ResourceId }).Distinct().ToList();
        var apps = await db.Applications.AsNoTracking()
            .Where(a => appIds.Contains(a.AppId))
            .ToDictionaryAsync(a => a.AppId, a => a.DisplayName, cancellationToken);
        var peopleIds = page.Select(r => r.RequestedById).Concat(page.Select(r => r.ReviewedById).OfType<Guid>()).Distinct().ToList();
        var people = await db.Users.AsNoTracking()
            .Where(u => peopleIds.Contains(u.Id))
            .Select(u => new Person(u.Id, u.DisplayName ?? u.UserName, u.UserName))
            .ToDictionaryAsync(p => p.Id, cancellationToken);

        // A reviewer may be an application calling as itself: its id is its app id.
        var reviewerApps = page.Select(r => r.ReviewedById).OfType<Guid>().Where(id => !people.ContainsKey(id)).Distinct().ToList();
        foreach (var app in await db.Applications.AsNoTracking().Where(a => reviewerApps.Contains(a.AppId)).Select(a => new { a.AppId, a.DisplayName }).ToListAsync(cancellationToken))
        {
            people[app.AppId] = new Person(app.AppId, app.DisplayName, null);
        }

        object? Who(Guid? id) => id is { } known
            ? people.GetValueOrDefault(known) is { } person
                ? new Dictionary<string, object?> { ["id"] = person.Id, ["displayName"] = person.DisplayName, ["userPrincipalName"] = person.UserPrincipalName }
                : new Dictionary<string, object?> { ["id"] = known, ["displayName"] = null, ["userPrincipalName"] = null }
            : null;

        return [.. page.Select(r => (object)new Dictionary<string, object?>
        {
            ["id"] = r.Id,
            ["appId"] = r.ClientId,
            ["appDisplayName"] = apps.GetValueOrDefault(r.ClientId),
            ["resourceId"] = r.ResourceId,
            ["resourceDisplayName"] = apps.GetValueOrDefault(r.ResourceId),
            ["pendingScopes"] = r.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => new Dictionary<string, object?> { ["displayName"] = s }).ToList(),
            ["reason"] = r.Reason,
            ["status"] = r.Status,
            ["createdDateTime"] = r.CreatedDateTime,
            ["requestedBy"] = Who(r.RequestedById),
            ["reviewedBy"] = Who(r.ReviewedById),
            ["reviewedDateTime"] = r.ReviewedDateTime,
        })];
    }
}
