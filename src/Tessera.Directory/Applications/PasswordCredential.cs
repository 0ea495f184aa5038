namespace Tessera.Directory.Applications;

/// <summary>A client secret. Only its SHA-256 hash and a short hint are kept; the value is shown once.</summary>
public sealed class PasswordCredential
{
    public Guid KeyId { get; set; }
    public Guid ApplicationId { get; set; }
    public string? DisplayName { get; set; }
    public required string Hint { get; set; }
    public required string SecretHash { get; set; }
    public DateTimeOffset StartDateTime { get; set; }
    public DateTimeOffset EndDateTime { get; set; }

    /// <summary>
    /// When the audit log was told that this secret is about to expire (once per credential); null before. A concurrency
    /// token, so that of several nodes noticing at once only one writes the entry.
    /// </summary>
    public DateTimeOffset? ExpiryNoticeDateTime { get; set; }
}
