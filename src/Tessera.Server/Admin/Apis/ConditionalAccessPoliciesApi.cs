using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.ConditionalAccess;
using Tessera.Directory.Storage;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.Errors;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.ConditionalAccess;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/identity/conditionalAccess/policies</c>: Graph's <c>conditionalAccessPolicy</c>. A body is read into the
/// engine's record (everything Tessera cannot enforce refused), its ids checked against the directory, and stored as
/// the normalised Graph document. Before an enabled policy is saved it is tried against every Global Administrator (a
/// break-glass warning when it would catch them all) and against the caller's own sign-in (refused with 409 unless
/// <c>?confirmSelfLockout=true</c>).
/// </summary>
public static class ConditionalAccessPoliciesApi
{
    private const string Path = "/identity/conditionalAccess/policies";

    private static readonly Dictionary<string, Expression<Func<ConditionalAccessPolicyEntry, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = p => p.Id,
        ["displayName"] = p => p.DisplayName,
        ["state"] = p => p.State,
    };

    public static RouteGroupBuilder MapConditionalAccessPolicies(this RouteGroupBuilder api)
    {
        var policies = api.MapGroup(Path);
        policies.MapGet("/", ListAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        policies.MapPost("/", CreateAsync).RequirePermission(ConditionalAccessChanges.Permission);
        policies.MapGet("/{id:guid}", GetAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        policies.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(ConditionalAccessChanges.Permission);
        policies.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(ConditionalAccessChanges.Permission);
        return api;
    }

    /// <summary>A stored policy as Graph shows it.</summary>
    public static JsonObject Resource(ConditionalAccessPolicyEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var document = JsonNode.Parse(entry.Document)!.AsObject();
        var resource = new JsonObject
        {
            ["id"] = entry.Id.ToString("D"),
            ["templateId"] = null,
            ["createdDateTime"] = Timestamp(entry.CreatedDateTime),
            ["modifiedDateTime"] = entry.ModifiedDateTime is { } modified ? Timestamp(modified) : null,
        };
        foreach (var (name, value) in document.ToList())
        {
            document.Remove(name);
            resource[name] = value;
        }

        resource["@odata.etag"] = GraphResults.ETag(entry.ConcurrencyStamp);
        return resource;
    }

    // Milliseconds, as Graph shows them and as every storage provider keeps them.
    private static string Timestamp(DateTimeOffset value)
        => value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<ConditionalAccessPolicyEntry>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.ConditionalAccessPolicies.AsNoTracking().Where(p => p.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, p => p.Id, Resource, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var entry = await db.ConditionalAccessPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.TenantId == http.Caller().TenantId, http.RequestAborted);
        return ConditionalAccessChanges.Found(http, entry, id.ToString(), e => e.ConcurrencyStamp, Resource);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time, TenantPolicies tenantPolicies)
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

        var id = Guid.NewGuid();
        var (policy, refused) = await ValidateAsync(http, db, tenantPolicies, time, body.Json!, id);
        if (refused is not null)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        var entry = new ConditionalAccessPolicyEntry
        {
            Id = id,
            TenantId = caller.TenantId,
            DisplayName = policy!.Policy.DisplayName,
            State = ConditionalAccessDocuments.StateName(policy.Policy.State),
            Document = ConditionalAccessDocuments.Write(policy.Policy).ToJsonString(),
            CreatedDateTime = now,
        };
        db.ConditionalAccessPolicies.Add(entry);
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Add conditional access policy",
            new AuditTarget(id.ToString(), "Policy", entry.DisplayName, [new ModifiedProperty("ConditionalAccessPolicy", null, entry.Document)]),
            () => ConditionalAccessChanges.WithETag(http, entry.ConcurrencyStamp,
                Results.Json(WithWarnings(Resource(entry), policy.Warnings), statusCode: StatusCodes.Status201Created)));
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time, TenantPolicies tenantPolicies)
    {
        var caller = http.Caller();
        var entry = await db.ConditionalAccessPolicies.FirstOrDefaultAsync(p => p.Id == id && p.TenantId == caller.TenantId, http.RequestAborted);
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

        // Graph's PATCH: objects merge property by property, anything else replaces.
        var merged = JsonNode.Parse(entry.Document)!.AsObject();
        Merge(merged, body.Json!);
        var (policy, refused) = await ValidateAsync(http, db, tenantPolicies, time, merged, id);
        if (refused is not null)
        {
            return refused;
        }

        var document = ConditionalAccessDocuments.Write(policy!.Policy).ToJsonString();
        if (document == entry.Document)
        {
            return Results.NoContent();
        }

        var before = entry.Document;
        entry.Document = document;
        entry.DisplayName = policy.Policy.DisplayName;
        entry.State = ConditionalAccessDocuments.StateName(policy.Policy.State);
        entry.ModifiedDateTime = time.GetUtcNow();
        entry.ConcurrencyStamp = Guid.NewGuid();
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Update conditional access policy",
            new AuditTarget(id.ToString(), "Policy", entry.DisplayName, [new ModifiedProperty("ConditionalAccessPolicy", before, document)]),
            () => ConditionalAccessChanges.WithETag(http, entry.ConcurrencyStamp,
                policy.Warnings.Count == 0 ? Results.NoContent() : Results.Json(WithWarnings(Resource(entry), policy.Warnings))));
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var entry = await db.ConditionalAccessPolicies.FirstOrDefaultAsync(p => p.Id == id && p.TenantId == caller.TenantId, http.RequestAborted);
        if (!ConditionalAccessChanges.CanWrite(http, entry, id.ToString(), e => e.ConcurrencyStamp, out var refusal))
        {
            return refusal;
        }

        db.ConditionalAccessPolicies.Remove(entry);
        return await ConditionalAccessChanges.SaveAsync(http, db, audit, "Delete conditional access policy",
            new AuditTarget(id.ToString(), "Policy", entry.DisplayName, [new ModifiedProperty("ConditionalAccessPolicy", entry.Document, null)]),
            Results.NoContent);
    }

    private sealed record Validated(ConditionalAccessPolicy Policy, IReadOnlyList<string> Warnings);

    /// <summary>Reads the body, checks its ids, then the safeguards: a refusal, or the policy and its warnings.</summary>
    private static async Task<(Validated? Policy, IResult? Refused)> ValidateAsync(
        HttpContext http, TesseraDbContext db, TenantPolicies tenantPolicies, TimeProvider time, JsonObject json, Guid id)
    {
        var caller = http.Caller();
        var (policy, error) = ConditionalAccessDocuments.Read(json, id);
        error ??= policy is null ? null : await ConditionalAccessChanges.UnknownReferenceAsync(db, caller.TenantId, policy, http.RequestAborted);
        if (error is not null)
        {
            return (null, GraphResults.BadRequest(error));
        }

        var warnings = new List<string>();
        if (policy!.State != PolicyState.Enabled)
        {
            return (new Validated(policy, warnings), null);
        }

        var now = time.GetUtcNow();
        var confirmed = string.Equals(http.Request.Query["confirmSelfLockout"], "true", StringComparison.OrdinalIgnoreCase);
        var current = await tenantPolicies.ForTenantAsync(db, caller.TenantId, http.RequestAborted);
        var lockedOut = ConditionalAccessSafeguards.LocksOut(policy, current.Locations, current.AvailableAuthenticationContexts,
            await ConditionalAccessChanges.CallerSignInsAsync(http, db, now));
        if (lockedOut is not null && !confirmed)
        {
            var what = policy.Grant?.Block == true ? "block" : "ask more of";
            return (null, GraphResults.Error(StatusCodes.Status409Conflict,
                ConditionalAccessErrors.SelfLockout.With(what, ConditionalAccessChanges.Describe(lockedOut))));
        }

        if (lockedOut is not null)
        {
            warnings.Add($"You confirmed that this policy applies to your own sign-in: {ConditionalAccessChanges.Describe(lockedOut)}");
        }

        var breakGlass = ConditionalAccessSafeguards.BreakGlassWarning(policy, await ConditionalAccessChanges.AdministratorSignInsAsync(db, caller.TenantId, now, http.RequestAborted));
        if (breakGlass is not null)
        {
            warnings.Add(breakGlass);
        }

        return (new Validated(policy, warnings), null);
    }

    private static JsonObject WithWarnings(JsonObject resource, IReadOnlyList<string> warnings)
    {
        if (warnings.Count > 0)
        {
            resource["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode?)JsonValue.Create(w))]);
        }

        return resource;
    }

    /// <summary>JSON merge of a PATCH body into the stored document (RFC 7396 without deletion: null sets null).</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (ConditionalAccessDocuments.ServerProperties.Contains(name) || name.StartsWith('@'))
            {
                continue;
            }

            if (value is JsonObject inner && target[name] is JsonObject existing)
            {
                Merge(existing, inner);
                continue;
            }

            target[name] = value?.DeepClone();
        }
    }
}
