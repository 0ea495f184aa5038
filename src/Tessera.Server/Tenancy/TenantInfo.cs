namespace Tessera.Server.Tenancy;

/// <summary>The tenant a request was addressed to, resolved from the first path segment.</summary>
public sealed record TenantInfo(Guid Id, string DisplayName, string DefaultDomain)
{
    /// <summary>The issuer of this tenant's tokens for a given origin: <c>{origin}/{tenantId}/v2.0</c>.</summary>
    public string IssuerFor(string origin) => $"{origin.TrimEnd('/')}/{Id:D}/v2.0";
}
