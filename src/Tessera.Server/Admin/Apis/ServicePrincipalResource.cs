using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// Service principals and app role assignments as the admin API shows them: Microsoft Graph's <c>servicePrincipal</c>
/// and <c>appRoleAssignment</c> resources. A service principal is the tenant-local face of an application registration,
/// one per application, and its id is the application's appId (see <see cref="Application"/>).
/// </summary>
public static class ServicePrincipalResource
{
    public const string ServicePrincipalType = "ServicePrincipal";
    public const string UserType = "User";

    public static object From(Application app) => From(app, presence: null);

    /// <summary>
    /// A service principal: of an application registered in the caller's tenant, or with <paramref name="presence"/>,
    /// of a multitenant application of another tenant (its switches and version are the tenant's own).
    /// </summary>
    public static object From(Application app, TenantServicePrincipal? presence)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Dictionary<string, object?>
        {
            ["id"] = app.AppId,
            ["appId"] = app.AppId,
            ["displayName"] = app.DisplayName,
            ["accountEnabled"] = presence?.AccountEnabled ?? app.ServicePrincipalEnabled,
            ["appRoleAssignmentRequired"] = presence?.AppRoleAssignmentRequired ?? app.AppRoleAssignmentRequired,
            ["servicePrincipalType"] = "Application",
            ["appOwnerOrganizationId"] = app.TenantId,
            ["servicePrincipalNames"] = app.IdentifierUris.Append(app.AppId.ToString("D")).ToList(),
            ["appRoles"] = ApplicationResource.AppRoles(app),
            ["oauth2PermissionScopes"] = ApplicationResource.PermissionScopes(app),
            ["verifiedPublisher"] = ApplicationResource.VerifiedPublisher(app),
            ["@odata.etag"] = GraphResults.ETag(presence?.ConcurrencyStamp ?? app.ConcurrencyStamp),
        };
    }

    public static object Assignment(AppRoleAssignment assignment, string? principalDisplayName, string? resourceDisplayName)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return new Dictionary<string, object?>
        {
            ["id"] = assignment.Id,
            ["appRoleId"] = assignment.AppRoleId,
            ["principalId"] = assignment.PrincipalId,
            ["principalType"] = assignment.PrincipalType,
            ["principalDisplayName"] = principalDisplayName,
            ["resourceId"] = assignment.ResourceAppId,
            ["resourceDisplayName"] = resourceDisplayName,
            ["createdDateTime"] = assignment.CreatedDateTime,
        };
    }

    /// <summary>
    /// A page of assignments with the names of their principals (users, groups, service principals) and resources,
    /// looked up in one query per kind.
    /// </summary>
    public static async Task<IReadOnlyList<object>> AssignmentsAsync(TesseraDbContext db, IReadOnlyList<AppRoleAssignment> page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(page);
        List<Guid> PrincipalsOf(string type) => [.. page.Where(a => a.PrincipalType == type).Select(a => a.PrincipalId).Distinct()];
        var userIds = PrincipalsOf(UserType);
        var groupIds = PrincipalsOf(AppRoleAssignment.GroupPrincipalType);
        var appIds = PrincipalsOf(ServicePrincipalType).Concat(page.Select(a => a.ResourceAppId)).Distinct().ToList();
        var users = userIds.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName ?? u.UserName })
            .ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var groups = groupIds.Count == 0 ? [] : await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id))
            .Select(g => new { g.Id, g.DisplayName })
            .ToDictionaryAsync(g => g.Id, g => (string?)g.DisplayName, cancellationToken);
        var apps = await db.Applications.AsNoTracking().Where(a => appIds.Contains(a.AppId))
            .Select(a => new { a.AppId, a.DisplayName })
            .ToDictionaryAsync(a => a.AppId, a => (string?)a.DisplayName, cancellationToken);
        var principalNames = new Dictionary<string, Dictionary<Guid, string?>>(StringComparer.Ordinal)
        {
            [UserType] = users,
            [AppRoleAssignment.GroupPrincipalType] = groups,
            [ServicePrincipalType] = apps,
        };
        return
        [
            .. page.Select(a => Assignment(
                a,
                principalNames.GetValueOrDefault(a.PrincipalType)?.GetValueOrDefault(a.PrincipalId),
                apps.GetValueOrDefault(a.ResourceAppId))),
        ];
    }
}
