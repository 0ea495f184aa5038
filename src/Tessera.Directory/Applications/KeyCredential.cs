namespace Tessera.Directory.Applications;

/// <summary>A certificate credential: the public certificate only, used for <c>private_key_jwt</c> client assertions.</summary>
public sealed class KeyCredential
{
    public Guid KeyId { get; set; }
    public Guid ApplicationId { get; set; }
    public string? DisplayName { get; set; }

    /// <summary>The DER certificate, base64.</summary>
    public required string Key { get; set; }

    /// <summary>SHA-256 thumbprint (<c>x5t#S256</c>), base64url.</summary>
    public required string Thumbprint { get; set; }
    public DateTimeOffset StartDateTime { get; set; }
    public DateTimeOffset EndDateTime { get; set; }

    /// <summary>
    /// When the audit log was told that this certificate is about to expire (once per credential); null before. A concurrency
    /// token, so that of several nodes noticing at once only one writes the entry.
    /// </summary>
    public DateTimeOffset? ExpiryNoticeDateTime { get; set; }
}
