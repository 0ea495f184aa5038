using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;

namespace Tessera.Server.Admin;

/// <summary>
/// Saves an admin change with its audit entry in one transaction. A concurrent change to the same resource (or to the
/// audit chain head) loses with 409 and nothing of it is written: no lost update, no half-written change.
/// </summary>
public static class AdminWrites
{
    public static async Task<IResult> SaveAsync(TesseraDbContext db, HttpContext http, Func<Task<IResult>> afterSave)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(afterSave);
        await using var transaction = await db.Database.BeginTransactionAsync(http.RequestAborted);
        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
            var result = await afterSave();
            await transaction.CommitAsync(http.RequestAborted);
            return result;
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(http.RequestAborted);
            return GraphResults.Error(StatusCodes.Status409Conflict, AdminErrors.Conflict);
        }
    }
}
