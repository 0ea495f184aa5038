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
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(afterSave);
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(http.RequestAborted);
            try
            {
                var heads = db.ChangeTracker.Entries<AuditChainHead>().Where(e => e.State != EntityState.Added).Select(e => e.Entity).ToList();
                if (heads.Count > 0)
                {
                    // Hold the tenant's chain for this transaction, then chain after its current end.
                    await AuditLog.LockChainsAsync(db, heads.Select(h => h.TenantId), http.RequestAborted);
                    await AuditLog.RechainAsync(db, heads, http.RequestAborted);
                }

                await db.SaveChangesAsync(http.RequestAborted);
                var result = await afterSave();
                await transaction.CommitAsync(http.RequestAborted);
                return result;
            }
            catch (DbUpdateException conflict) when (attempt < ChainAttempts && conflict.Entries.Count > 0 &&
                                                     conflict.Entries.All(e => e.Entity is AuditChainHead or AuditEntry))
            {
                // Lost the race for the end of the chain (the head moved, or our sequence number was taken).
                await transaction.RollbackAsync(http.RequestAborted);
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), http.RequestAborted);
            }
            catch (DbUpdateException)
            {
                await transaction.RollbackAsync(http.RequestAborted);
                return GraphResults.Error(StatusCodes.Status409Conflict, AdminErrors.Conflict);
            }
        }
    }
}
