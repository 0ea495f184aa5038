namespace Tessera.Directory.Tenants;

/// <summary>An organisation: the boundary of users, applications and policies. Its id is the token's <c>tid</c>.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }
    public required string DisplayName { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
    public List<TenantDomain> Domains { get; set; } = [];
}
