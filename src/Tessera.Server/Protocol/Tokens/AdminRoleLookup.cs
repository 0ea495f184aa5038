using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>The built-in admin roles a user holds, for the <c>wids</c> claim (role template ids, as Entra ID emits them).</summary>
public sealed class AdminRoleLookup(TesseraDbContext db)
{
    public async Task<IReadOnlyList<string>> TemplateIdsAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        var ids = await db.DirectoryRoleAssignments.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.PrincipalId == userId)
            .Select(a => a.RoleDefinitionId)
            .ToListAsync(cancellationToken);

        // Formatted here, not in SQL: SQLite would spell GUIDs in upper case.
        return ids.Distinct().Select(id => id.ToString("D")).ToList();
    }

    /// <summary>Every admin permission the user's built-in roles amount to, implied ones included.</summary>
    public async Task<IReadOnlySet<string>> PermissionsAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        var roles = await TemplateIdsAsync(tenantId, userId, cancellationToken);
        return AdminPermissions.Expand(roles.Select(id => AdminRoles.Find(Guid.Parse(id))).OfType<AdminRole>().SelectMany(r => r.Permissions));
    }
}
