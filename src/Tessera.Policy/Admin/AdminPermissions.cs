namespace Tessera.Policy.Admin;

/// <summary>
/// The permissions of Tessera's own admin API, named as Microsoft Graph names them. Each exists as an app role
/// (for automation) and as a delegated scope (for people, limited by their admin roles). A broader permission
/// implies the narrower ones it contains; nothing implies a permission of another family except the top one.
/// </summary>
public static class AdminPermissions
{
    /// <summary>The identifier URI of the admin API; <c>api://tessera-admin/.default</c> asks for its app roles.</summary>
    public const string ApiIdentifier = "api://tessera-admin";

    public const string ApplicationReadAll = "Application.Read.All";
    public const string ApplicationReadWriteOwnedBy = "Application.ReadWrite.OwnedBy";
    public const string ApplicationReadWriteAll = "Application.ReadWrite.All";
    public const string UserReadAll = "User.Read.All";
    public const string UserReadWriteAll = "User.ReadWrite.All";
    public const string GroupReadAll = "Group.Read.All";
    public const string GroupReadWriteAll = "Group.ReadWrite.All";
    public const string AuditLogReadAll = "AuditLog.Read.All";
    public const string PolicyReadAll = "Policy.Read.All";
    public const string PolicyReadConditionalAccess = "Policy.Read.ConditionalAccess";
    public const string PolicyReadWriteConditionalAccess = "Policy.ReadWrite.ConditionalAccess";
    public const string RoleManagementReadDirectory = "RoleManagement.Read.Directory";
    public const string RoleManagementReadWriteDirectory = "RoleManagement.ReadWrite.Directory";
    public const string DirectoryReadAll = "Directory.Read.All";

    /// <summary>What users may consent to (the tenant's authorization policy).</summary>
    public const string PolicyReadWriteAuthorization = "Policy.ReadWrite.Authorization";

    /// <summary>The risk ratings of delegated permissions (permission classifications).</summary>
    public const string PolicyReadWritePermissionGrant = "Policy.ReadWrite.PermissionGrant";

    /// <summary>The rules application credentials must keep, such as the longest client secret lifetime.</summary>
    public const string PolicyReadWriteApplicationConfiguration = "Policy.ReadWrite.ApplicationConfiguration";

    /// <summary>How people sign in: the password protection policy (banned passwords, smart lockout settings).</summary>
    public const string PolicyReadWriteAuthenticationMethod = "Policy.ReadWrite.AuthenticationMethod";

    /// <summary>Reads risk detections (password sprays) of Identity Protection.</summary>
    public const string IdentityRiskEventReadAll = "IdentityRiskEvent.Read.All";

    /// <summary>Reads the risk of users (Identity Protection's risky users).</summary>
    public const string IdentityRiskyUserReadAll = "IdentityRiskyUser.Read.All";

    /// <summary>Confirms users compromised (user risk high) and dismisses their risk.</summary>
    public const string IdentityRiskyUserReadWriteAll = "IdentityRiskyUser.ReadWrite.All";

    /// <summary>Reads delegated permission grants and admin consent requests.</summary>
    public const string DelegatedPermissionGrantReadAll = "DelegatedPermissionGrant.Read.All";

    /// <summary>Grants and revokes delegated permissions for all users or for one (admin consent), and decides consent requests.</summary>
    public const string DelegatedPermissionGrantReadWriteAll = "DelegatedPermissionGrant.ReadWrite.All";

    /// <summary>
    /// Grants and removes app roles (Graph's <c>appRoleAssignedTo</c>): how application permissions are given, to any API
    /// including this one, so only the top permission implies it.
    /// </summary>
    public const string AppRoleAssignmentReadWriteAll = "AppRoleAssignment.ReadWrite.All";

    /// <summary>The top permission: everything the admin API can do. Held by the bootstrap client so that scripts can start.</summary>
    public const string DirectoryReadWriteAll = "Directory.ReadWrite.All";

    public static readonly IReadOnlyList<string> All =
    [
        ApplicationReadAll, ApplicationReadWriteOwnedBy, ApplicationReadWriteAll,
        UserReadAll, UserReadWriteAll, GroupReadAll, GroupReadWriteAll,
        AuditLogReadAll, PolicyReadAll, PolicyReadConditionalAccess, PolicyReadWriteConditionalAccess,
        PolicyReadWriteAuthorization, PolicyReadWritePermissionGrant, PolicyReadWriteApplicationConfiguration,
        PolicyReadWriteAuthenticationMethod, IdentityRiskEventReadAll, IdentityRiskyUserReadAll, IdentityRiskyUserReadWriteAll,
        DelegatedPermissionGrantReadAll, DelegatedPermissionGrantReadWriteAll,
        RoleManagementReadDirectory, RoleManagementReadWriteDirectory,
        AppRoleAssignmentReadWriteAll, DirectoryReadAll, DirectoryReadWriteAll,
    ];

    private static readonly Dictionary<string, string[]> Implies = new(StringComparer.Ordinal)
    {
        [ApplicationReadWriteAll] = [ApplicationReadAll, ApplicationReadWriteOwnedBy],
        [UserReadWriteAll] = [UserReadAll],
        [GroupReadWriteAll] = [GroupReadAll],
        [PolicyReadAll] = [PolicyReadConditionalAccess],
        [PolicyReadWriteConditionalAccess] = [PolicyReadAll, PolicyReadConditionalAccess],
        [PolicyReadWriteAuthorization] = [PolicyReadAll],
        [PolicyReadWritePermissionGrant] = [PolicyReadAll],
        [PolicyReadWriteApplicationConfiguration] = [PolicyReadAll],
        [PolicyReadWriteAuthenticationMethod] = [PolicyReadAll],
        [DelegatedPermissionGrantReadWriteAll] = [DelegatedPermissionGrantReadAll],
        [RoleManagementReadWriteDirectory] = [RoleManagementReadDirectory],
        [IdentityRiskyUserReadWriteAll] = [IdentityRiskyUserReadAll],
        [DirectoryReadAll] = [ApplicationReadAll, UserReadAll, GroupReadAll, PolicyReadAll, PolicyReadConditionalAccess, RoleManagementReadDirectory, DelegatedPermissionGrantReadAll],
        [DirectoryReadWriteAll] = [.. All.Where(p => p != DirectoryReadWriteAll)],
    };

    /// <summary>Whether holding <paramref name="held"/> allows what <paramref name="needed"/> allows.</summary>
    public static bool Grants(IEnumerable<string> held, string needed)
    {
        ArgumentNullException.ThrowIfNull(held);
        foreach (var permission in held)
        {
            if (string.Equals(permission, needed, StringComparison.Ordinal) ||
                (Implies.TryGetValue(permission, out var implied) && implied.Contains(needed, StringComparer.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every permission <paramref name="held"/> amounts to, implied ones included.</summary>
    public static IReadOnlySet<string> Expand(IEnumerable<string> held)
    {
        ArgumentNullException.ThrowIfNull(held);
        var expanded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var permission in held.Where(All.Contains))
        {
            expanded.Add(permission);
            expanded.UnionWith(Implies.GetValueOrDefault(permission) ?? []);
        }

        return expanded;
    }
}
