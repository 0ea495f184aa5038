using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Errors;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// The GET and PATCH of a tenant-wide policy under <c>/policies</c> that is kept on the tenant and versioned by it (its
/// ETag is the tenant's). GET shows the caller's tenant's policy with that ETag; PATCH checks If-Match, reads the body,
/// lets the policy's own rules apply it, and when they changed something gives the tenant a new version and saves it
/// with its audit entry. What a policy looks like and what a body may change stay with each policy's API.
/// </summary>
/// <param name="Id">The policy's id, the audit entry's target.</param>
/// <param name="DisplayName">The policy's display name, as the audit entry shows it.</param>
/// <param name="Activity">The audit entry's activity, such as "Update session policy".</param>
internal sealed record TenantPolicyEndpoint(string Id, string DisplayName, string Activity)
{
    private const string Category = "Policy";

    /// <summary>GET: the caller's tenant's policy as <paramref name="resource"/> shows it, with the tenant's ETag.</summary>
    public static async Task<IResult> GetAsync<TResource>(HttpContext http, TesseraDbContext db, Func<Tenant, TResource> resource)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(resource);
        var tenant = await LoadTenantAsync(db.Tenants.AsNoTracking(), http);
        http.Response.Headers.ETag = GraphResults.ETag(tenant.ConcurrencyStamp);
        return Results.Json(resource(tenant));
    }

    /// <summary>
    /// PATCH: 412 when If-Match names another version, 400 for a body that is no JSON object or that
    /// <paramref name="apply"/> refuses, 204 otherwise; <paramref name="afterSave"/> runs once a change is saved.
    /// </summary>
    public async Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, AuditLog audit, Func<Tenant, JsonObject, PolicyChange> apply, Action<Tenant>? afterSave = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(apply);
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

        var change = apply(tenant, body.Json!);
        if (change.Error is not null)
        {
            return GraphResults.BadRequest(change.Error);
        }

        if (change.Modified.Count == 0)
        {
            return Results.NoContent();
        }

        tenant.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, Activity, new AuditTarget(Id, "Policy", DisplayName, change.Modified), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () =>
        {
            afterSave?.Invoke(tenant);
            return Task.FromResult(Results.NoContent());
        });
    }

    // The caller's token was issued by its tenant, so the tenant exists.
    private static async Task<Tenant> LoadTenantAsync(IQueryable<Tenant> tenants, HttpContext http)
        => await tenants.FirstOrDefaultAsync(t => t.Id == http.Caller().TenantId, http.RequestAborted)
           ?? throw new InvalidOperationException("The caller's tenant does not exist.");
}

/// <summary>
/// What a PATCH body did to a tenant policy: refused with <see cref="Error"/>, or the properties it changed on the
/// tenant (none when it asked for what is already so).
/// </summary>
internal readonly record struct PolicyChange(TesseraError? Error, IReadOnlyList<ModifiedProperty> Modified)
{
    public static PolicyChange None => new(null, []);

    public static PolicyChange Refused(TesseraError error) => new(error, []);

    public static PolicyChange Changed(params IReadOnlyList<ModifiedProperty> modified) => new(null, modified);
}
