using Microsoft.AspNetCore.Identity;

namespace Tessera.Directory.Users;

/// <summary>
/// A person in a tenant. <see cref="IdentityUser{TKey}.Id"/> is the object id (<c>oid</c>);
/// the user name is the user principal name (<c>alice@contoso.example</c>), unique because domains are.
/// </summary>
public sealed class DirectoryUser : IdentityUser<Guid>
{
    public Guid TenantId { get; set; }
    public string? DisplayName { get; set; }
    public bool AccountEnabled { get; set; } = true;
    public DateTimeOffset CreatedDateTime { get; set; }
}
