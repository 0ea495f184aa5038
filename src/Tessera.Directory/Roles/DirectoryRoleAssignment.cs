namespace Tessera.Directory.Roles;

/// <summary>A built-in admin role held by a person (Graph's <c>unifiedRoleAssignment</c> at directory scope).</summary>
public sealed class DirectoryRoleAssignment
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid PrincipalId { get; set; }

    /// <summary>The role's template id, as Entra ID numbers built-in roles.</summary>
    public Guid RoleDefinitionId { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
}
