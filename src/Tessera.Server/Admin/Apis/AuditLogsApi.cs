using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Audit;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Audit;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary><c>/auditLogs/directoryAudits</c>: the tenant's tamper-evident change log, with each entry's place in the hash chain.</summary>
public static class AuditLogsApi
{
    private static readonly Dictionary<string, Expression<Func<AuditEntry, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = e => e.Id,
        ["category"] = e => e.Category,
        ["activityDisplayName"] = e => e.ActivityDisplayName,
        ["correlationId"] = e => e.CorrelationId,
        ["result"] = e => e.Result,
    };

    public static RouteGroupBuilder MapAuditLogs(this RouteGroupBuilder api)
    {
        api.MapGet("/auditLogs/directoryAudits", ListAsync).RequirePermission(AdminPermissions.AuditLogReadAll);
        api.MapGet("/auditLogs/directoryAudits/verify", VerifyAsync).RequirePermission(AdminPermissions.AuditLogReadAll);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<AuditEntry>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var entries = db.AuditEntries.AsNoTracking().Where(e => e.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, entries, e => e.Sequence, Resource, http.RequestAborted);
    }

    /// <summary>Recomputes the tenant's whole chain on the server. The CLI's <c>tessera audit verify</c> does the same on its side.</summary>
    private static async Task<IResult> VerifyAsync(HttpContext http, TesseraDbContext db)
    {
        var links = db.AuditEntries.AsNoTracking().Where(e => e.TenantId == http.Caller().TenantId).OrderBy(e => e.Sequence)
            .AsAsyncEnumerable();
        var all = new List<AuditLink>();
        await foreach (var entry in links.WithCancellation(http.RequestAborted))
        {
            all.Add(AuditLog.ToLink(entry));
        }

        var result = AuditChain.Verify(all);
        return Results.Json(new { intact = result.Intact, @checked = result.Checked, firstBrokenSequence = result.FirstBrokenSequence, reason = result.Reason });
    }

    public static object Resource(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new Dictionary<string, object?>
        {
            ["id"] = entry.Id,
            ["activityDateTime"] = entry.ActivityDateTime,
            ["category"] = entry.Category,
            ["activityDisplayName"] = entry.ActivityDisplayName,
            ["result"] = entry.Result,
            ["correlationId"] = entry.CorrelationId,
            ["initiatedBy"] = JsonDocument.Parse(entry.InitiatedBy).RootElement,
            ["targetResources"] = JsonDocument.Parse(entry.TargetResources).RootElement,
            ["sequence"] = entry.Sequence,
            ["previousHash"] = entry.PreviousHash,
            ["hash"] = entry.Hash,
            // The exact text the hash covers, so a verifier needs nothing but this response.
            ["hashedInitiatedBy"] = entry.InitiatedBy,
            ["hashedTargetResources"] = entry.TargetResources,
        };
    }
}
