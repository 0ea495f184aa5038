namespace Tessera.Directory.Tenants;

/// <summary>A domain name of a tenant; it can stand for the tenant id in protocol paths and in user names.</summary>
public sealed class TenantDomain
{
    /// <summary>The lower-case domain name; unique across the whole platform.</summary>
    public required string Name { get; set; }
    public Guid TenantId { get; set; }
    public bool IsDefault { get; set; }
    public bool IsVerified { get; set; }
}
