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

    public static object From(Application app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Dictionary<string, object?>
        {
            ["id"] = app.AppId,
            ["appId"] = app.AppId,
            ["displayName"] = app.DisplayName,
            ["accountEnabled"] = app.ServicePrincipalEnabled,
            ["appRoleAssignmentRequired"] = app.AppRoleAssignmentRequired,
            ["servicePrincipalType"] = "Application",
            ["appOwnerOrganizationId"] = app.TenantId,
            ["servicePrincipalNames"] = app.IdentifierUris.Append(app.AppId.ToString("D")).ToList(),
            ["appRoles"] = ApplicationResource.AppRoles(app),
            ["oauth2PermissionScopes"] = ApplicationResource.PermissionScopes(app),
            ["verifiedPublisher"] = ApplicationResource.VerifiedPublisher(app),
            ["@odata.etag"] = GraphResults.ETag(app.ConcurrencyStamp),
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

    /// <summary>A page of assignments with the names of their principals and resources, looked up in two queries.</summary>
    public static async Task<IReadOnlyList<object>> AssignmentsAsync(TesseraDbContext db, IReadOnlyList<AppRoleAssignment> page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(page);
        var userIds = page.Where(a => a.PrincipalType == UserType).Select(a => a.PrincipalId).Distinct().ToList();
        var appIds = page.Where(a => a.PrincipalType != UserType).Select(a => a.PrincipalId).Concat(page.Select(a => a.ResourceAppId)).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName ?? u.UserName })
            .ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var apps = await db.Applications.AsNoTracking().Where(a => appIds.Contains(a.AppId))
            .Select(a => new { a.AppId, a.DisplayName })
            .ToDictionaryAsync(a => a.AppId, a => a.DisplayName, cancellationToken);
        return
        [
            .. page.Select(a => Assignment(
                a,
                a.PrincipalType == UserType ? users.GetValueOrDefault(a.PrincipalId) : apps.GetValueOrDefault(a.PrincipalId),
                apps.GetValueOrDefault(a.ResourceAppId))),
        ];
    }
}
