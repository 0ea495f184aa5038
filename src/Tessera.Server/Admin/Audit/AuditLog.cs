using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Audit;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Audit;
using Tessera.Server.Admin.Access;

namespace Tessera.Server.Admin.Audit;

/// <summary>A property of a target before and after the change. Secrets never appear here, only their key id and hint.</summary>
public sealed record ModifiedProperty(string DisplayName, string? OldValue, string? NewValue)
{
    /// <summary>Records a property's change for the audit entry, if it changed.</summary>
    public static void Track(List<ModifiedProperty> modified, string name, string? before, string? after)
    {
        ArgumentNullException.ThrowIfNull(modified);
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            modified.Add(new ModifiedProperty(name, before, after));
        }
    }
}

/// <summary>What a change was made to.</summary>
public sealed record AuditTarget(string Id, string Type, string? DisplayName, IReadOnlyList<ModifiedProperty>? ModifiedProperties = null);

/// <summary>
/// Writes audit entries into the caller's unit of work: the entry and the change are saved by the same
/// <c>SaveChanges</c>, so there is no change without its entry. Each entry is chained to the tenant's chain head,
/// whose optimistic concurrency keeps the sequence gap-free when several nodes write at once.
/// </summary>
public sealed class AuditLog(TesseraDbContext db, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task RecordAsync(AdminCaller caller, string category, string activity, AuditTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        object initiatedBy = caller.IsApplication
            ? new { app = new { appId = caller.ClientId, displayName = caller.DisplayName, servicePrincipalId = caller.ObjectId } }
            : new { user = new { id = caller.ObjectId, displayName = caller.DisplayName } };
        return RecordAsync(caller.TenantId, initiatedBy, category, activity, target, cancellationToken);
    }

    /// <summary>A change a person made for themselves outside the admin API (consent, revoking an application).</summary>
    public Task RecordAsync(Guid tenantId, DirectoryUser user, string category, string activity, AuditTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return RecordAsync(tenantId, new { user = new { id = user.Id, displayName = user.DisplayName ?? user.UserName } }, category, activity, target, cancellationToken);
    }

    public async Task RecordAsync(Guid tenantId, object initiatedBy, string category, string activity, AuditTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        // A unit of work may record several entries; the tenant's first entry added a head that is not in the database yet.
        var head = db.AuditChainHeads.Local.FirstOrDefault(h => h.TenantId == tenantId)
                   ?? await db.AuditChainHeads.FirstOrDefaultAsync(h => h.TenantId == tenantId, cancellationToken);
        if (head is null)
        {
            head = new AuditChainHead { TenantId = tenantId, LastSequence = 0, LastHash = AuditChain.Genesis };
            db.AuditChainHeads.Add(head);
        }

        var record = new AuditRecord(
            head.LastSequence + 1,
            tenantId,
            AuditChain.Truncate(time.GetUtcNow()),
            category,
            activity,
            "success",
            JsonSerializer.Serialize(initiatedBy, Json),
            JsonSerializer.Serialize(new[] { target }, Json),
            Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N"));
        var hash = AuditChain.Hash(head.LastHash, record);

        db.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            Sequence = record.Sequence,
            ActivityDateTime = record.ActivityDateTime,
            Category = record.Category,
            ActivityDisplayName = record.ActivityDisplayName,
            Result = record.Result,
            InitiatedBy = record.InitiatedBy,
            TargetResources = record.TargetResources,
            CorrelationId = record.CorrelationId,
            PreviousHash = head.LastHash,
            Hash = hash,
        });
        head.LastSequence = record.Sequence;
        head.LastHash = hash;
    }

    /// <summary>
    /// Serialises writers of the same tenant's chain for the current transaction. PostgreSQL takes a transaction-scoped
    /// advisory lock per tenant; SQLite has a single writer already (a lost race is retried by the caller).
    /// </summary>
    public static async Task LockChainsAsync(TesseraDbContext db, IEnumerable<Guid> tenantIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsNpgsql())
        {
            return;
        }

        foreach (var tenantId in tenantIds.Distinct().Order())
        {
            var key = BitConverter.ToInt64(tenantId.ToByteArray(), 0);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", cancellationToken);
        }
    }

    /// <summary>
    /// After another writer moved a tenant's chain head, re-reads it and chains this unit of work's pending entries
    /// after the new end (their content is unchanged; only their place and hashes move).
    /// </summary>
    public static async Task RechainAsync(TesseraDbContext db, IEnumerable<AuditChainHead> heads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(heads);
        foreach (var head in heads)
        {
            await db.Entry(head).ReloadAsync(cancellationToken);
            var pending = db.ChangeTracker.Entries<AuditEntry>()
                .Where(e => e.State == EntityState.Added && e.Entity.TenantId == head.TenantId)
                .Select(e => e.Entity)
                .OrderBy(e => e.Sequence)
                .ToList();
            foreach (var entry in pending)
            {
                entry.Sequence = head.LastSequence + 1;
                entry.PreviousHash = head.LastHash;
                entry.Hash = AuditChain.Hash(head.LastHash, ToLink(entry).Record);
                head.LastSequence = entry.Sequence;
                head.LastHash = entry.Hash;
            }
        }
    }

    /// <summary>The stored entry as the chain sees it.</summary>
    public static AuditLink ToLink(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditLink(
            new AuditRecord(entry.Sequence, entry.TenantId, entry.ActivityDateTime, entry.Category, entry.ActivityDisplayName,
                entry.Result, entry.InitiatedBy, entry.TargetResources, entry.CorrelationId),
            entry.PreviousHash,
            entry.Hash);
    }
}
