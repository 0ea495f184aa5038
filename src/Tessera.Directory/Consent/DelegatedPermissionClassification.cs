namespace Tessera.Directory.Consent;

/// <summary>
/// An administrator's risk rating of one delegated permission of an API (Graph's
/// <c>delegatedPermissionClassification</c>, which Tessera extends from <c>low</c> to <c>low</c>, <c>medium</c> and
/// <c>high</c>). Under the default consent policy users may consent only to permissions rated <c>low</c>.
/// </summary>
public sealed class DelegatedPermissionClassification
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The API's service principal id (its app id).</summary>
    public Guid ResourceId { get; set; }
    public Guid PermissionId { get; set; }
    public required string PermissionName { get; set; }

    /// <summary><c>low</c>, <c>medium</c> or <c>high</c>.</summary>
    public required string Classification { get; set; }
}
