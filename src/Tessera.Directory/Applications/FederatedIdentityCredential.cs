namespace Tessera.Directory.Applications;

/// <summary>
/// Trust in tokens from an external identity provider (Graph's <c>federatedIdentityCredential</c>): a token whose
/// issuer, subject and audience match may be exchanged for a token of this application, with no secret to leak.
/// </summary>
public sealed class FederatedIdentityCredential
{
    public Guid Id { get; set; }

    /// <summary>The application's object id.</summary>
    public Guid ApplicationId { get; set; }

    /// <summary>Unique within the application, and never changed once created.</summary>
    public required string Name { get; set; }
    public required string Issuer { get; set; }
    public required string Subject { get; set; }
    public List<string> Audiences { get; set; } = [];
    public string? Description { get; set; }
}
