using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Tokens;
using Tessera.Server.Protocol.Resources;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>
/// The <c>groups</c> claim of a user's tokens: read from the directory at every redemption (code, device code,
/// refresh), so a member removed from a group loses it at the next refresh. Nothing is read when neither the client
/// (for its ID token) nor the API (for its access token) asks for groups.
/// </summary>
public sealed class GroupLookup(TesseraDbContext db)
{
    public async Task<GroupClaim> ForSignInAsync(
        Guid tenantId, Guid userId, Guid clientAppId, ResourceInfo? resource, Uri issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);

        // Read here rather than cached with the client, so a changed registration holds from the very next token. By app
        // id alone: a multitenant client's registration lives in its home tenant, and its manifest holds in every tenant.
        var clientSetting = await db.Applications.AsNoTracking()
            .Where(a => a.AppId == clientAppId)
            .Select(a => a.GroupMembershipClaims)
            .FirstOrDefaultAsync(cancellationToken);
        var request = GroupClaims.Requested(clientSetting, resource?.GroupMembershipClaims);
        if (!request.Any)
        {
            return GroupClaim.None;
        }

        var groups = db.Groups.AsNoTracking().Where(g => g.TenantId == tenantId);
        if (request.SecurityGroupsOnly)
        {
            groups = groups.Where(g => g.SecurityEnabled);
        }

        // Direct membership only: groups hold users, never groups. One past the limit is enough to know it is passed.
        var ids = await db.GroupMembers.AsNoTracking()
            .Where(m => m.MemberId == userId)
            .Join(groups, m => m.GroupId, g => g.Id, (m, g) => g.Id)
            .OrderBy(id => id)
            .Take(GroupClaims.JwtLimit + 1)
            .ToListAsync(cancellationToken);

        // Formatted here, not in SQL: SQLite would spell GUIDs in upper case.
        return GroupClaims.Decide(request, [.. ids.Select(id => id.ToString("D"))], MemberObjectsEndpoint(issuer, userId));
    }

    /// <summary>
    /// Where an API reads the groups of a user with too many to list: the admin API beside the tenant's issuer
    /// (<c>{origin}/{tenant}/v2.0</c> gives <c>{origin}/admin/v1/users/{oid}/getMemberObjects</c>), as Entra ID points
    /// to Graph's <c>getMemberObjects</c>.
    /// </summary>
    public static string MemberObjectsEndpoint(Uri issuer, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return new Uri(new Uri(issuer.AbsoluteUri.TrimEnd('/')), $"../admin/v1/users/{userId:D}/getMemberObjects").AbsoluteUri;
    }
}
