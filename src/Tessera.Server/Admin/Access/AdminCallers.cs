using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;

namespace Tessera.Server.Admin.Access;

/// <summary>
/// Turns a validated admin-API token into an <see cref="AdminCaller"/>. Applications get their app roles.
/// People get their token's scopes limited by the admin roles they hold now (read from the directory on each request,
/// so removing a role takes effect at once, not when the token expires).
/// </summary>
public sealed class AdminCallers(TesseraDbContext db)
{
    /// <summary>The admin-API app roles an application holds now, by value.</summary>
    public static async Task<IReadOnlyList<string>> AdminApiRolesHeldAsync(TesseraDbContext db, Guid tenantId, Guid appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var adminApi = await db.Applications.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.IdentifierUris.Contains(AdminPermissions.ApiIdentifier))
            .Select(a => new { a.AppId, a.AppRoles })
            .FirstOrDefaultAsync(cancellationToken);
        if (adminApi is null)
        {
            return [];
        }

        var roleIds = await db.AppRoleAssignments.AsNoTracking()
            .Where(a => a.PrincipalId == appId && a.ResourceAppId == adminApi.AppId)
            .Select(a => a.AppRoleId)
            .ToListAsync(cancellationToken);
        return adminApi.AppRoles.Where(r => r.IsEnabled && roleIds.Contains(r.Id)).Select(r => r.Value).ToList();
    }

    public async Task<AdminCaller?> ResolveAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (!Guid.TryParse(principal.FindFirst("tid")?.Value, out var tenantId) ||
            !Guid.TryParse(principal.FindFirst("oid")?.Value, out var objectId))
        {
            return null;
        }

        var clientId = principal.FindFirst("azp")?.Value ?? string.Empty;
        if (principal.FindFirst("idtyp")?.Value == "app")
        {
            // Read from the directory on each request, as for people: deleting or disabling the application, or
            // removing its role, takes effect now rather than when its token expires.
            var app = await db.Applications.AsNoTracking()
                .Where(a => a.AppId == objectId && a.TenantId == tenantId && a.ServicePrincipalEnabled)
                .Select(a => new { a.DisplayName })
                .FirstOrDefaultAsync(cancellationToken);
            if (app is null)
            {
                return null;
            }

            var roles = await AdminApiRolesHeldAsync(db, tenantId, objectId, cancellationToken);
            return new AdminCaller(tenantId, objectId, clientId, true, app.DisplayName, AdminPermissions.Expand(roles));
        }

        var user = await db.Users.AsNoTracking()
            .Where(u => u.Id == objectId && u.TenantId == tenantId && u.AccountEnabled)
            .Select(u => new { u.UserName, u.DisplayName })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        var roleIds = await db.DirectoryRoleAssignments.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.PrincipalId == objectId)
            .Select(a => a.RoleDefinitionId)
            .ToListAsync(cancellationToken);
        var scopes = (principal.FindFirst("scp")?.Value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new AdminCaller(tenantId, objectId, clientId, false, user.DisplayName ?? user.UserName ?? objectId.ToString(),
            AdminRoles.EffectiveDelegated(scopes, roleIds));
    }
}
