namespace Tessera.Cli.Session;

/// <summary>
/// A signed-in session as <c>session.json</c> keeps it: where to sign in, as whom, and how to get the next token.
/// It holds no long-lived secret: only the path of the bootstrap file or of the certificate (and the name of the
/// environment variable with the certificate's password), or, for a person, the path of the separate tokens file
/// with the refresh token, plus the current access token until it nears expiry.
/// </summary>
internal sealed record CliSession
{
    /// <summary>The tenant's issuer, <c>{origin}/{tenantId}/v2.0</c>.</summary>
    public required string Authority { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>The application (client) id that signs in.</summary>
    public required string ClientId { get; init; }

    /// <summary>The scope asked for, <c>api://tessera-admin/.default</c> (with <c>offline_access</c> for a person).</summary>
    public required string Scope { get; init; }

    /// <summary>The token endpoint found in the authority's discovery document at sign-in.</summary>
    public required string TokenEndpoint { get; init; }

    /// <summary>The admin API's base address, <c>{origin}/admin/v1/</c>.</summary>
    public required string AdminApi { get; init; }

    public required SessionCredential Credential { get; init; }

    public CachedToken? Token { get; init; }
}

/// <summary>
/// Where the session's credential is found: a bootstrap file (its client secret), a PKCS#12 certificate, or, for a
/// person signed in with a device code, the profile's tokens file (its refresh token, see <see cref="SessionStore"/>).
/// </summary>
internal sealed record SessionCredential(string Kind, string Path, string? PasswordVariable = null)
{
    public const string BootstrapKind = "bootstrap";
    public const string CertificateKind = "certificate";
    public const string DeviceKind = "device";
}

/// <summary>An access token and when it expires.</summary>
internal sealed record CachedToken(string AccessToken, DateTimeOffset ExpiresOn)
{
    /// <summary>A token is replaced this long before it expires, so that no command starts with a token about to lapse.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    public bool IsFreshAt(DateTimeOffset now) => now < ExpiresOn - RenewBefore;
}
