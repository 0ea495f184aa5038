namespace Tessera.AspNetCore;

/// <summary>
/// How an API accepts Tessera access tokens: which server, which tenant or tenants, which audience. Everything else
/// (token type, issuer, signature algorithms, keys, lifetime) is fixed and strict; nothing here turns a check off.
/// </summary>
public sealed class TesseraApiOptions
{
    /// <summary>
    /// The Tessera server's base address, e.g. <c>https://id.example.com/</c>. HTTPS is required, except on loopback.
    /// </summary>
    public string? Instance { get; set; }

    /// <summary>
    /// The tenant whose tokens the API accepts: its id (a GUID). For a multitenant API, <c>organizations</c> or
    /// <c>common</c>: tokens of any tenant are accepted (see <see cref="AllowedTenants"/>), each checked against the
    /// issuer of the tenant it names.
    /// </summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The API's audience: its application id (a GUID) or its identifier URI (<c>api://orders</c>). Tokens carry the
    /// application id in <c>aud</c>; when this is an identifier URI, set <see cref="ClientId"/> too.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>The API's application id (a GUID). Accepted as an audience too.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// For a multitenant API, the tenant ids it accepts tokens from. Empty: any tenant of the server.
    /// </summary>
    public IList<string> AllowedTenants { get; } = new List<string>();

    /// <summary>How far the API's clock may be from the server's when checking <c>exp</c> and <c>nbf</c>: 30 seconds, at most 1 minute.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many validated tokens are remembered, so that a token presented again is not verified again: 10 000.
    /// 0 turns the cache off.
    /// </summary>
    public int TokenCacheSize { get; set; } = 10_000;

    /// <summary>
    /// The longest a validated token is remembered, even if it expires later: 5 minutes. After that it is verified in
    /// full again (and so against the tenant's current keys).
    /// </summary>
    public TimeSpan TokenCacheMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Continuous Access Evaluation: receiving the tenant's security events and refusing revoked tokens. Off by default.</summary>
    public TesseraContinuousAccessOptions ContinuousAccess { get; } = new();
}
