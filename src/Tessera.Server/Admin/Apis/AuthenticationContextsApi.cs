using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.ConditionalAccess;
using Tessera.Directory.Storage;
using Tessera.Policy.ConditionalAccess;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.ConditionalAccess;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/identity/conditionalAccess/authenticationContextClassReferences</c>: the tenant's <c>c1</c>..<c>c99</c>.
/// As in Graph, PATCH (or PUT) by id creates or updates; a context a policy names cannot be deleted.
/// </summary>
public static class AuthenticationContextsApi
{
    private const string Path = "/identity/conditionalAccess/authenticationContextClassReferences";

    private static readonly Dictionary<string, Expression<Func<AuthenticationContextEntry, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = c => c.Id,
        ["displayName"] = c => c.DisplayName,
        ["isAvailable"] = c => c.IsAvailable,
    };

    public static RouteGroupBuilder MapAuthenticationContexts(this RouteGroupBuilder api)
    {
        var contexts = api.MapGroup(Path);
        contexts.MapGet("/", ListAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        contexts.MapGet("/{id}", GetAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        contexts.MapPatch("/{id}", (string id, HttpContext http, TesseraDbContext db, AuditLog audit) => UpsertAsync(id, http, db, audit, replace: false))
            .RequirePermission(ConditionalAccessChanges.Permission);
        contexts.MapPut("/{id}", (string id, HttpContext http, TesseraDbContext db, AuditLog audit) => UpsertAsync(id, http, db, audit, replace: true))
            .RequirePermission(ConditionalAccessChanges.Permission);
        contexts.MapDelete("/{id}", DeleteAsync).RequirePermission(ConditionalAccessChanges.Permission);
        return api;
    }

    public static object Resource(AuthenticationContextEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new Dictionary<string, object?>
        {
            ["id"] = entry.Id,
            ["displayName"] = entry.DisplayName,
            ["description"] = entry.Description,
            ["isAvailable"] = entry.IsAvailable,
            ["@odata.etag"] = GraphResults.ETag(entry.ConcurrencyStamp),
        };
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<AuthenticationContextEntry>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        // Ordered by number, c2 before c10: ids are c1..c99, so length then text.
        var inTenant = db.AuthenticationContexts.AsNoTracking().Where(c => c.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, items => items.OrderBy(c => c.Id.Length).ThenBy(c => c.Id), Resource, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, TesseraDbContext db)
    {
        var entry = await db.AuthenticationContexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == http.Caller().TenantId && c.Id == id, http.RequestAborted);
        return ConditionalAccessChanges.Found(http, entry, id, e => e.ConcurrencyStamp, Resource);
    }

    private static async Task<IResult> UpsertAsync(string id, HttpContext http, TesseraDbContext db, AuditLog audit, bool replace)
    {
        var caller = http.Caller();
        if (!ConditionalAccessDocuments.IsAuthenticationContextId(id))
        {
            return GraphResults.BadRequest(ConditionalAccessErrors.AuthenticationContextInvalid.With("id", id));
        }

        var entry = await db.AuthenticationContexts.FirstOrDefaultAsync(c => c.TenantId == caller.TenantId && c.Id == id, http.RequestAborted);
        if (entry is not null && !GraphResults.IfMatchAllows(http.Request, entry.ConcurrencyStamp))
        {
            return GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed);
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var creating = entry is null;
        var (change, error) = NamedLocationDocuments.ReadContext(body.Json!, id, creating || replace);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var before = entry is null ? null : Summary(entry);
        entry ??= db.AuthenticationContexts.Add(new AuthenticationContextEntry { TenantId = caller.TenantId, Id = id, DisplayName = string.Empty }).Entity;
        entry.DisplayName = change!.DisplayName ?? entry.DisplayName;
        entry.Description = replace || change.ClearsDescription ? change.Description : change.Description ?? entry.Description;
        entry.IsAvailable = replace ? change.IsAvailable ?? false : change.IsAvailable ?? entry.IsAvailable;
        var after = Summary(entry);
        if (after == before)
        {
            return Results.NoContent();
        }

        entry.ConcurrencyStamp = Guid.NewGuid();
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, creating ? "Add authentication context" : "Update authentication context",
            new AuditTarget(id, "Policy", entry.DisplayName, [new ModifiedProperty("AuthenticationContextClassReference", before, after)]),
            () => ConditionalAccessChanges.WithETag(http, entry.ConcurrencyStamp,
                creating ? Results.Json(Resource(entry), statusCode: StatusCodes.Status201Created) : Results.NoContent()));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var entry = await db.AuthenticationContexts.FirstOrDefaultAsync(c => c.TenantId == caller.TenantId && c.Id == id, http.RequestAborted);
        if (!ConditionalAccessChanges.CanWrite(http, entry, id, e => e.ConcurrencyStamp, out var refusal))
        {
            return refusal;
        }

        var policies = await db.ConditionalAccessPolicies.AsNoTracking().Where(p => p.TenantId == caller.TenantId).ToListAsync(http.RequestAborted);
        var user = TenantPolicies.Parse(policies).FirstOrDefault(p => p.Applications.IncludeAuthenticationContextClassReferences.Contains(id, StringComparer.Ordinal));
        if (user is not null)
        {
            return GraphResults.Error(StatusCodes.Status409Conflict, ConditionalAccessErrors.ContextInUse.With(id, user.DisplayName, user.Id));
        }

        db.AuthenticationContexts.Remove(entry);
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Delete authentication context",
            new AuditTarget(id, "Policy", entry.DisplayName, [new ModifiedProperty("AuthenticationContextClassReference", Summary(entry), null)]),
            Results.NoContent);
    }

    private static string Summary(AuthenticationContextEntry entry)
        => System.Text.Json.JsonSerializer.Serialize(new { entry.DisplayName, entry.Description, entry.IsAvailable });
}
