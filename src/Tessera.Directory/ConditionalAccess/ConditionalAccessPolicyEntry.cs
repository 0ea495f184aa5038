namespace Tessera.Directory.ConditionalAccess;

/// <summary>
/// A Conditional Access policy as stored: the validated Graph document (conditions and controls) as JSON text, and
/// beside it what lists and filters need without reading it.
/// </summary>
public sealed class ConditionalAccessPolicyEntry
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string DisplayName { get; set; }

    /// <summary>Graph's state: <c>enabled</c>, <c>disabled</c> or <c>enabledForReportingButNotEnforced</c>.</summary>
    public required string State { get; set; }

    /// <summary>The Graph <c>conditionalAccessPolicy</c> body, as the reader normalised it (no id or times).</summary>
    public required string Document { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
    public DateTimeOffset? ModifiedDateTime { get; set; }
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

/// <summary>Graph's <c>ipNamedLocation</c>: IP ranges in CIDR notation, trusted or not.</summary>
public sealed class IpNamedLocationEntry
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string DisplayName { get; set; }
    public bool IsTrusted { get; set; }
    public List<string> IpRanges { get; set; } = [];
    public DateTimeOffset CreatedDateTime { get; set; }
    public DateTimeOffset ModifiedDateTime { get; set; }
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

/// <summary>
/// Graph's <c>authenticationContextClassReference</c>: <c>c1</c> to <c>c99</c> per tenant, a label an application
/// asks for (the <c>acrs</c> claim) and policies demand more for.
/// </summary>
public sealed class AuthenticationContextEntry
{
    public Guid TenantId { get; set; }

    /// <summary><c>c1</c> to <c>c99</c>.</summary>
    public required string Id { get; set; }
    public required string DisplayName { get; set; }
    public string? Description { get; set; }
    public bool IsAvailable { get; set; }
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}
