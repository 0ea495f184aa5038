namespace Tessera.Directory.Consent;

/// <summary>
/// A user's request that an administrator consent to permissions the user may not grant (Graph's
/// <c>appConsentRequest</c>, kept flat: one request per user, client, API and set of scopes).
/// </summary>
public sealed class AdminConsentRequest
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The client application's app id.</summary>
    public Guid ClientId { get; set; }

    /// <summary>The API's app id.</summary>
    public Guid ResourceId { get; set; }

    /// <summary>The scope values asked for, space-separated.</summary>
    public required string Scope { get; set; }
    public Guid RequestedById { get; set; }
    public string? Reason { get; set; }

    /// <summary><c>InProgress</c>, <c>Approved</c> or <c>Denied</c>.</summary>
    public required string Status { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
    public Guid? ReviewedById { get; set; }
    public DateTimeOffset? ReviewedDateTime { get; set; }
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

public static class AdminConsentRequestStatuses
{
    public const string InProgress = "InProgress";
    public const string Approved = "Approved";
    public const string Denied = "Denied";
}
