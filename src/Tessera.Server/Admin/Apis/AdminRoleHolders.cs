using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// The guards that keep a tenant administrable: who holds admin roles, and whether a change would remove the last
/// enabled Global Administrator.
/// </summary>
public static class AdminRoleHolders
{
    /// <summary>
    /// Refuses a person's change that would leave no enabled user holding Global Administrator.
    /// </summary>
    /// <remarks>
    /// People are refused so that an administrator cannot lock everyone out by mistake, nor can a stolen admin session
    /// do it on purpose. Applications may: the bootstrap client holds <c>Directory.ReadWrite.All</c> as an app role,
    /// not through a role assignment, so it is the tenant's break-glass way back in; and automation that rotates
    /// administrators has to remove one before it adds the next.
    /// </remarks>
    public static async Task<IResult?> RefuseLosingLastGlobalAdministratorAsync(TesseraDbContext db, AdminCaller caller, Guid leavingUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsApplication || !await IsEnabledGlobalAdministratorAsync(db, caller.TenantId, leavingUserId, cancellationToken))
        {
            return null;
        }

        var globalAdministrator = AdminRoles.GlobalAdministrator.TemplateId;
        var others = await db.DirectoryRoleAssignments.AsNoTracking()
            .Where(a => a.TenantId == caller.TenantId && a.RoleDefinitionId == globalAdministrator && a.PrincipalId != leavingUserId)
            .Join(db.Users.Where(u => u.AccountEnabled), a => a.PrincipalId, u => u.Id, (a, _) => a.Id)
            .AnyAsync(cancellationToken);
        return others ? null : GraphResults.BadRequest(RegistrationErrors.LastGlobalAdministrator);
    }

    /// <summary>
    /// Refuses taking over an administrator's account (password, sign-in state, deletion) by a caller who could not
    /// grant admin roles anyway: a User Administrator must not become a Global Administrator by resetting one's password.
    /// </summary>
    public static async Task<IResult?> RefuseTakeoverAsync(TesseraDbContext db, AdminCaller caller, Guid userId, string userName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Has(AdminPermissions.RoleManagementReadWriteDirectory))
        {
            return null;
        }

        var holdsRole = await db.DirectoryRoleAssignments.AsNoTracking()
            .AnyAsync(a => a.TenantId == caller.TenantId && a.PrincipalId == userId, cancellationToken);
        return holdsRole ? GraphResults.Forbidden(RegistrationErrors.PrivilegedUserProtected.With(userName)) : null;
    }

    private static Task<bool> IsEnabledGlobalAdministratorAsync(TesseraDbContext db, Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        var globalAdministrator = AdminRoles.GlobalAdministrator.TemplateId;
        return db.DirectoryRoleAssignments.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.PrincipalId == userId && a.RoleDefinitionId == globalAdministrator)
            .Join(db.Users.Where(u => u.AccountEnabled), a => a.PrincipalId, u => u.Id, (a, _) => a.Id)
            .AnyAsync(cancellationToken);
    }
}
