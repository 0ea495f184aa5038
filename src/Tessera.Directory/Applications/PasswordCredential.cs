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
}
