using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;

namespace Tessera.Server.Protocol.Resources;

/// <summary>An API as the token endpoint sees it: its app id (the audience) and what it exposes.</summary>
public sealed record ResourceInfo(Guid AppId, string DisplayName, IReadOnlyList<PermissionScope> Scopes, IReadOnlyList<AppRole> AppRoles);

/// <summary>Finds the API a scope names, by identifier URI or app id, within one tenant.</summary>
public sealed class ResourceDirectory(TesseraDbContext db)
{
    public async Task<ResourceInfo?> FindAsync(Guid tenantId, string identifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var candidates = db.Applications.AsNoTracking().Where(a => a.TenantId == tenantId);
        var app = Guid.TryParse(identifier, out var appId)
            ? await candidates.FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken)
            : await candidates.FirstOrDefaultAsync(a => a.IdentifierUris.Contains(identifier), cancellationToken);
        return app is null ? null : new ResourceInfo(app.AppId, app.DisplayName, app.Oauth2PermissionScopes, app.AppRoles);
    }

    /// <summary>The values of the enabled app roles of <paramref name="resource"/> assigned to a principal.</summary>
    public async Task<IReadOnlyList<string>> AssignedRolesAsync(ResourceInfo resource, Guid principalId, string memberType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var roleIds = await db.AppRoleAssignments.AsNoTracking()
            .Where(a => a.PrincipalId == principalId && a.ResourceAppId == resource.AppId)
            .Select(a => a.AppRoleId)
            .ToListAsync(cancellationToken);
        return resource.AppRoles
            .Where(r => r.IsEnabled && roleIds.Contains(r.Id) && r.AllowedMemberTypes.Contains(memberType))
            .Select(r => r.Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
