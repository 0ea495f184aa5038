namespace Tessera.Directory.Applications;

/// <summary>
/// A multitenant application's service principal in a tenant other than the one it is registered in: its presence
/// and switches there. It comes into being only through consent in that tenant (a user's, within the tenant's policy,
/// or an administrator's), and removing it removes the application from the tenant with its grants and assignments.
/// Like a home service principal (<see cref="Application"/>), its object id is the app id.
/// </summary>
public sealed class TenantServicePrincipal
{
    public Guid TenantId { get; set; }
    public Guid AppId { get; set; }
    public bool AccountEnabled { get; set; } = true;
    public bool AppRoleAssignmentRequired { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}
