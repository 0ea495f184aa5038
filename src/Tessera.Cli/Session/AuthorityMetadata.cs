namespace Tessera.Cli.Session;

/// <summary>
/// What the command line reads from an authority's discovery document. Every endpoint has been checked to be as
/// secure as the authority (https, or http on loopback); the optional ones are null when the document names none.
/// </summary>
/// <param name="CliClientId">Tessera's <c>tessera_cli_client_id</c>: the tenant's own client for the command line.</param>
internal sealed record AuthorityMetadata(
    string Issuer,
    string TokenEndpoint,
    string? DeviceAuthorizationEndpoint,
    string? RevocationEndpoint,
    string? CliClientId);

/// <summary>What a token endpoint granted: an access token, and a refresh token when the grant gives one.</summary>
internal sealed record TokenGrant(CachedToken Access, string? RefreshToken);
