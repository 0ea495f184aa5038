using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.ServicePrincipals;
using Tessera.Server.Clients;

namespace Tessera.Server.Protocol.Resources;

/// <summary>
/// An API as the token endpoint sees it: its app id (the audience), what it exposes, its service principal's
/// switches (<c>accountEnabled</c>, <c>appRoleAssignmentRequired</c>) and which groups its tokens name
/// (<c>groupMembershipClaims</c>).
/// </summary>
public sealed record ResourceInfo(
    Guid AppId, string DisplayName, IReadOnlyList<PermissionScope> Scopes, IReadOnlyList<AppRole> AppRoles,
    bool Enabled, bool AppRoleAssignmentRequired, string GroupMembershipClaims)
{
    public ServicePrincipalState ServicePrincipal => new(AppId, DisplayName, Enabled, AppRoleAssignmentRequired);

    /// <summary>The <c>aud</c> of its tokens: the app id, or a built-in API's identifier (<see cref="SharedSignals.SharedSignalsResource"/>).</summary>
    public string Audience { get; init; } = AppId.ToString("D");

    /// <summary>The values of the delegated scopes the API offers now.</summary>
    public IReadOnlyList<string> EnabledScopeValues => Scopes.Where(s => s.IsEnabled).Select(s => s.Value).ToList();
}

/// <summary>Finds the API a scope names, by identifier URI or app id, within one tenant, and who may have tokens for it.</summary>
public sealed class ResourceDirectory(TesseraDbContext db)
{
    public async Task<ResourceInfo?> FindAsync(Guid tenantId, string identifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var candidates = db.Applications.AsNoTracking().Where(a => a.TenantId == tenantId);
        var app = Guid.TryParse(identifier, out var appId)
            ? await candidates.FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken)
            : await candidates.FirstOrDefaultAsync(a => a.IdentifierUris.Contains(identifier), cancellationToken);
        return app is null
            ? null
            : new ResourceInfo(
                app.AppId, app.DisplayName, app.Oauth2PermissionScopes, app.AppRoles, app.ServicePrincipalEnabled, app.AppRoleAssignmentRequired,
                app.GroupMembershipClaims);
    }

    /// <summary>
    /// The values of the enabled app roles of <paramref name="resource"/> assigned to a principal: to a user directly or
    /// through a group the user is a member of, to an application directly.
    /// </summary>
    public async Task<IReadOnlyList<string>> AssignedRolesAsync(ResourceInfo resource, Guid principalId, string memberType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var roleIds = await AssignedRoleIdsAsync(resource.AppId, principalId, throughGroups: memberType == "User", cancellationToken);
        return resource.AppRoles
            .Where(r => r.IsEnabled && roleIds.Contains(r.Id) && r.AllowedMemberTypes.Contains(memberType))
            .Select(r => r.Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Whether a token for <paramref name="resource"/> may be issued to the principal: the API is enabled and, when it
    /// requires assignment, the principal holds one (looked up only then).
    /// </summary>
    public async Task<TesseraError?> AdmitAsync(ResourceInfo resource, Guid principalId, TokenSubject subject, ProtocolStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var assigned = resource.Enabled && resource.AppRoleAssignmentRequired &&
                       await HoldsAssignmentAsync(resource, principalId, subject, cancellationToken);
        return ServicePrincipalAccess.AsAudience(resource.ServicePrincipal, subject, assigned, step);
    }

    /// <summary>Whether a user may sign in to <paramref name="client"/>: when it requires assignment, the user holds one.</summary>
    public async Task<TesseraError?> AdmitUserAsync(ClientInfo client, Guid userId, ProtocolStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!client.AppRoleAssignmentRequired)
        {
            return null;
        }

        var registration = await FindAsync(client.TenantId, client.AppId.ToString("D"), cancellationToken);
        var assigned = registration is not null && await HoldsAssignmentAsync(registration, userId, TokenSubject.User, cancellationToken);
        return ServicePrincipalAccess.UserSignIn(client.ServicePrincipal, assigned, step);
    }

    /// <summary>
    /// An assignment counts when it is default access or names an enabled role for the principal's kind; a user's own
    /// assignments and those of its groups count alike.
    /// </summary>
    private async Task<bool> HoldsAssignmentAsync(ResourceInfo resource, Guid principalId, TokenSubject subject, CancellationToken cancellationToken)
    {
        var memberType = subject == TokenSubject.Application ? "Application" : "User";
        var roleIds = await AssignedRoleIdsAsync(resource.AppId, principalId, throughGroups: subject == TokenSubject.User, cancellationToken);
        return roleIds.Contains(Guid.Empty) ||
               resource.AppRoles.Any(r => r.IsEnabled && roleIds.Contains(r.Id) && r.AllowedMemberTypes.Contains(memberType));
    }

    /// <summary>
    /// The role ids assigned to the principal and, for a user, to the groups it is a direct member of (groups hold users
    /// only, never groups): one query, however many groups.
    /// </summary>
    private Task<List<Guid>> AssignedRoleIdsAsync(Guid resourceAppId, Guid principalId, bool throughGroups, CancellationToken cancellationToken)
    {
        var assignments = db.AppRoleAssignments.AsNoTracking().Where(a => a.ResourceAppId == resourceAppId);
        assignments = throughGroups
            ? assignments.Where(a => a.PrincipalId == principalId ||
                                     (a.PrincipalType == AppRoleAssignment.GroupPrincipalType &&
                                      db.GroupMembers.Any(m => m.GroupId == a.PrincipalId && m.MemberId == principalId)))
            : assignments.Where(a => a.PrincipalId == principalId);
        return assignments.Select(a => a.AppRoleId).ToListAsync(cancellationToken);
    }
}
