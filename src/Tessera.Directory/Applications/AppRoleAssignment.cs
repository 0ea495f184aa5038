namespace Tessera.Directory.Applications;

/// <summary>An app role of a resource API granted to a principal (a user, a group of users, or a client application).</summary>
public sealed class AppRoleAssignment
{
    /// <summary>The <see cref="PrincipalType"/> of an assignment to a group: its members hold the role (direct members only).</summary>
    public const string GroupPrincipalType = "Group";

    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The user's or group's object id, or the client application's app id (its service principal's id).</summary>
    public Guid PrincipalId { get; set; }

    /// <summary><c>User</c>, <c>Group</c> or <c>ServicePrincipal</c>.</summary>
    public required string PrincipalType { get; set; }

    /// <summary>The resource API's app id (its service principal's id, Graph's <c>resourceId</c>).</summary>
    public Guid ResourceAppId { get; set; }

    /// <summary>One of the resource's app roles, or <see cref="Guid.Empty"/> (default access) when it declares none.</summary>
    public Guid AppRoleId { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
}
