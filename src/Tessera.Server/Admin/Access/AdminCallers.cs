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
            var roles = principal.FindAll("roles").Select(c => c.Value);
            return new AdminCaller(tenantId, objectId, clientId, true, clientId, AdminPermissions.Expand(roles));
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
