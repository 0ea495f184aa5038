using System.Linq.Expressions;
using System.Text.Json.Nodes;
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
/// <c>/identity/conditionalAccess/namedLocations</c>: Graph's <c>ipNamedLocation</c> (IPv4 and IPv6 CIDR ranges,
/// trusted or not). A location a policy names cannot be deleted (409 naming the policy).
/// </summary>
public static class NamedLocationsApi
{
    private const string Path = "/identity/conditionalAccess/namedLocations";

    private static readonly Dictionary<string, Expression<Func<IpNamedLocationEntry, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = l => l.Id,
        ["displayName"] = l => l.DisplayName,
        ["isTrusted"] = l => l.IsTrusted,
    };

    public static RouteGroupBuilder MapNamedLocations(this RouteGroupBuilder api)
    {
        var locations = api.MapGroup(Path);
        locations.MapGet("/", ListAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        locations.MapPost("/", CreateAsync).RequirePermission(ConditionalAccessChanges.Permission);
        locations.MapGet("/{id:guid}", GetAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        locations.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(ConditionalAccessChanges.Permission);
        locations.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(ConditionalAccessChanges.Permission);
        return api;
    }

    public static JsonObject Resource(IpNamedLocationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var resource = NamedLocationDocuments.WriteLocation(TenantPolicies.ToNamedLocation(entry), entry.CreatedDateTime, entry.ModifiedDateTime);
        resource["@odata.etag"] = GraphResults.ETag(entry.ConcurrencyStamp);
        return resource;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<IpNamedLocationEntry>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.IpNamedLocations.AsNoTracking().Where(l => l.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, l => l.Id, Resource, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var entry = await db.IpNamedLocations.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id && l.TenantId == http.Caller().TenantId, http.RequestAborted);
        return ConditionalAccessChanges.Found(http, entry, id.ToString(), e => e.ConcurrencyStamp, Resource);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        if (body.Json!.ContainsKey("id"))
        {
            return GraphResults.BadRequest(ConditionalAccessErrors.ReadOnlyProperty.With("id"));
        }

        var (change, error) = NamedLocationDocuments.ReadLocation(body.Json!, creating: true);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var now = time.GetUtcNow();
        var entry = new IpNamedLocationEntry
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            DisplayName = change!.DisplayName!,
            IsTrusted = change.IsTrusted ?? false,
            IpRanges = [.. change.Ranges!.Select(r => r.ToString())],
            CreatedDateTime = now,
            ModifiedDateTime = now,
        };
        db.IpNamedLocations.Add(entry);
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Add named location",
            new AuditTarget(entry.Id.ToString(), "Policy", entry.DisplayName, [new ModifiedProperty("NamedLocation", null, Summary(entry))]),
            () => ConditionalAccessChanges.WithETag(http, entry.ConcurrencyStamp, Results.Json(Resource(entry), statusCode: StatusCodes.Status201Created)));
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var entry = await db.IpNamedLocations.FirstOrDefaultAsync(l => l.Id == id && l.TenantId == caller.TenantId, http.RequestAborted);
        if (!ConditionalAccessChanges.CanWrite(http, entry, id.ToString(), e => e.ConcurrencyStamp, out var refusal))
        {
            return refusal;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        if (body.Json!.TryGetPropertyValue("id", out var sentId) && !(Guid.TryParse(ApiBodies.Text(sentId), out var sent) && sent == id))
        {
            return GraphResults.BadRequest(ConditionalAccessErrors.ReadOnlyProperty.With("id"));
        }

        var (change, error) = NamedLocationDocuments.ReadLocation(body.Json!, creating: false);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var before = Summary(entry);
        entry.DisplayName = change!.DisplayName ?? entry.DisplayName;
        entry.IsTrusted = change.IsTrusted ?? entry.IsTrusted;
        entry.IpRanges = change.Ranges is null ? entry.IpRanges : [.. change.Ranges.Select(r => r.ToString())];
        var after = Summary(entry);
        if (after == before)
        {
            return Results.NoContent();
        }

        entry.ModifiedDateTime = time.GetUtcNow();
        entry.ConcurrencyStamp = Guid.NewGuid();
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Update named location",
            new AuditTarget(entry.Id.ToString(), "Policy", entry.DisplayName, [new ModifiedProperty("NamedLocation", before, after)]),
            () => ConditionalAccessChanges.WithETag(http, entry.ConcurrencyStamp, Results.NoContent()));
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var entry = await db.IpNamedLocations.FirstOrDefaultAsync(l => l.Id == id && l.TenantId == caller.TenantId, http.RequestAborted);
        if (!ConditionalAccessChanges.CanWrite(http, entry, id.ToString(), e => e.ConcurrencyStamp, out var refusal))
        {
            return refusal;
        }

        var policies = await db.ConditionalAccessPolicies.AsNoTracking().Where(p => p.TenantId == caller.TenantId).ToListAsync(http.RequestAborted);
        var user = TenantPolicies.Parse(policies).FirstOrDefault(p => ConditionalAccessDocuments.References(p).NamedLocations.Contains(id));
        if (user is not null)
        {
            return GraphResults.Error(StatusCodes.Status409Conflict, ConditionalAccessErrors.LocationInUse.With(entry.DisplayName, user.DisplayName, user.Id));
        }

        db.IpNamedLocations.Remove(entry);
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Delete named location",
            new AuditTarget(entry.Id.ToString(), "Policy", entry.DisplayName, [new ModifiedProperty("NamedLocation", Summary(entry), null)]),
            Results.NoContent);
    }

    private static string Summary(IpNamedLocationEntry entry)
        => System.Text.Json.JsonSerializer.Serialize(new { entry.DisplayName, entry.IsTrusted, entry.IpRanges });
}
