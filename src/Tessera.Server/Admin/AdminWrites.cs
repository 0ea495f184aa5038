using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Audit;
using Tessera.Directory.Storage;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Admin;

/// <summary>
/// Saves an admin change with its audit entry in one transaction. A concurrent change to the same resource loses with
/// 409 and nothing of it is written: no lost update, no half-written change. Writers that only raced for the end of
/// the audit chain (changes to different objects) are not conflicts: the entry is chained again after the winner's.
/// </summary>
public static class AdminWrites
{
    private const int ChainAttempts = 10;

    public static async Task<IResult> SaveAsync(TesseraDbContext db, HttpContext http, Func<Task<IResult>> afterSave)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(afterSave);
        IResult? result = null;
        return await SaveAsync(db, async () => result = await afterSave(), http.RequestAborted)
            ? result!
            : GraphResults.Error(StatusCodes.Status409Conflict, AdminErrors.Conflict);
    }

    /// <summary>
    /// The same save outside a request (background work): true once committed, false when a concurrent change to the
    /// same rows won (nothing of this one is written).
    /// </summary>
    public static async Task<bool> SaveAsync(TesseraDbContext db, Func<Task> afterSave, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(afterSave);
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                var heads = db.ChangeTracker.Entries<AuditChainHead>().Where(e => e.State != EntityState.Added).Select(e => e.Entity).ToList();
                if (heads.Count > 0)
                {
                    // Hold the tenant's chain for this transaction, then chain after its current end.
                    await AuditLog.LockChainsAsync(db, heads.Select(h => h.TenantId), cancellationToken);
                    await AuditLog.RechainAsync(db, heads, cancellationToken);
                }

                await db.SaveChangesAsync(cancellationToken);
                await afterSave();
                await transaction.CommitAsync(cancellationToken);
                return true;
            }
            catch (DbUpdateException conflict) when (attempt < ChainAttempts && conflict.Entries.Count > 0 &&
                                                     conflict.Entries.All(e => e.Entity is AuditChainHead or AuditEntry))
            {
                // Lost the race for the end of the chain (the head moved, or our sequence number was taken).
                await transaction.RollbackAsync(cancellationToken);
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken);
            }
            catch (DbUpdateException)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }
    }
}
