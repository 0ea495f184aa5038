namespace Tessera.Directory.Consent;

/// <summary>
/// Delegated permissions a client may use on an API (Graph's <c>oAuth2PermissionGrant</c>): granted by an administrator
/// for every user of the tenant (<c>AllPrincipals</c>), or by one user for themselves (<c>Principal</c>). A user token's
/// <c>scp</c> is what the client asked for, cut down to what the grants covering that user hold.
/// </summary>
public sealed class OAuth2PermissionGrant
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The client application's service principal id (its app id).</summary>
    public Guid ClientId { get; set; }

    /// <summary><see cref="ConsentTypes.AllPrincipals"/> or <see cref="ConsentTypes.Principal"/>.</summary>
    public required string ConsentType { get; set; }

    /// <summary>
    /// The user who consented, for <see cref="ConsentTypes.Principal"/>; <see cref="Guid.Empty"/> for
    /// <see cref="ConsentTypes.AllPrincipals"/> (Graph shows null), so that a unique index allows one grant per
    /// client, API and user, and one for everyone.
    /// </summary>
    public Guid PrincipalId { get; set; }

    /// <summary>The API's service principal id (its app id).</summary>
    public Guid ResourceId { get; set; }

    /// <summary>The granted scope values, space-separated, as Graph has them.</summary>
    public required string Scope { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>Changes on every write; the admin API's ETag.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public IReadOnlyList<string> ScopeValues => Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

public static class ConsentTypes
{
    public const string AllPrincipals = "AllPrincipals";
    public const string Principal = "Principal";
}
