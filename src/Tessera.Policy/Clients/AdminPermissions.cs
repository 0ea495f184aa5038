namespace Tessera.Policy.Clients;

/// <summary>
/// The permissions of Tessera's own admin API, named as Microsoft Graph names them. Each exists as an app role
/// (for automation) and as a delegated scope (for people, within their admin roles).
/// </summary>
public static class AdminPermissions
{
    /// <summary>The identifier URI of the admin API; <c>api://tessera-admin/.default</c> asks for its app roles.</summary>
    public const string ApiIdentifier = "api://tessera-admin";

    /// <summary>The broadest permission: held by the bootstrap client so that scripts can start.</summary>
    public const string DirectoryReadWriteAll = "Directory.ReadWrite.All";

    public static readonly IReadOnlyList<string> All =
    [
        "Application.Read.All",
        "Application.ReadWrite.OwnedBy",
        "Application.ReadWrite.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "AuditLog.Read.All",
        "Policy.Read.All",
        "Policy.ReadWrite.ConditionalAccess",
        "RoleManagement.Read.Directory",
        "RoleManagement.ReadWrite.Directory",
        "Directory.Read.All",
        DirectoryReadWriteAll,
    ];
}
