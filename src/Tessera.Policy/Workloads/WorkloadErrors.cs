using Tessera.Policy.Errors;

namespace Tessera.Policy.Workloads;

/// <summary>
/// TSR81xx: a federated client assertion was refused at the token endpoint (each names the check that failed and never
/// repeats the assertion). TSR82xx: credential hygiene, mutual TLS and the platform's own keys.
/// </summary>
public static class WorkloadErrors
{
    private const string InvalidClient = "invalid_client";
    private const string BadRequest = "Request_BadRequest";

    // Federation at the token endpoint (TSR81xx)
    public static readonly TesseraError FederatedIssuerUnknown = new("TSR8101", InvalidClient,
        "The client assertion was issued by '{0}', which no federated identity credential of this application trusts. Add a credential for that issuer (POST /admin/v1/applications/{{id}}/federatedIdentityCredentials), or sign the assertion with the application's certificate.");
    public static readonly TesseraError FederatedSubjectMismatch = new("TSR8102", InvalidClient,
        "No federated identity credential of this application for issuer '{0}' has the subject '{1}'. Subjects are matched exactly: compare the credential's subject with the token's sub claim.");
    public static readonly TesseraError FederatedAudienceMismatch = new("TSR8103", InvalidClient,
        "The client assertion's audience ({0}) is not among the audiences of the matching federated identity credential ({1}). Ask the issuer for a token with that audience.");
    public static readonly TesseraError FederatedAssertionExpired = new("TSR8104", InvalidClient,
        "The client assertion is expired or not yet valid (exp, nbf and iat are checked with {0} seconds of clock skew). Fetch a fresh token from the issuer.");
    public static readonly TesseraError FederatedAssertionReplayed = new("TSR8105", InvalidClient,
        "This external token was already exchanged once (same issuer and jti). Fetch a fresh token from the issuer for every exchange.");
    public static readonly TesseraError FederatedAssertionUnsigned = new("TSR8106", InvalidClient,
        "The client assertion is not signed with an asymmetric algorithm (RS256, PS256, ES256 and their longer variants are accepted; 'none' and shared-key algorithms are not).");
    public static readonly TesseraError FederatedKeyUnknown = new("TSR8107", InvalidClient,
        "The client assertion's signing key is not in the JSON Web Key Set published by '{0}', even after fetching it again. The token was not issued by that issuer, or the issuer publishes its keys elsewhere.");
    public static readonly TesseraError FederatedSignatureInvalid = new("TSR8108", InvalidClient,
        "The client assertion's signature does not verify with the key published by '{0}'.");
    public static readonly TesseraError FederatedIssuerUnreachable = new("TSR8109", InvalidClient,
        "The discovery document or key set of '{0}' could not be read ({1}). The issuer must serve {0}/.well-known/openid-configuration over HTTPS (HTTP only on loopback), with that exact issuer and a jwks_uri.");
    public static readonly TesseraError FederatedAssertionMalformed = new("TSR8110", InvalidClient,
        "The client assertion is not a well-formed signed JWT with iss, sub, aud, exp and jti claims.");
    public static readonly TesseraError FederatedAssertionTypeUnsupported = new("TSR8111", InvalidClient,
        "The client assertion's type '{0}' is not accepted for federation; external tokens are accepted typed JWT or at+jwt, or untyped.");
    public static readonly TesseraError FederatedClientIdRequired = new("TSR8112", InvalidClient,
        "A client assertion from an external issuer must come with client_id: the application it federates into.");

    // Credential hygiene (TSR82xx)
    public static readonly TesseraError SecretsForbidden = new("TSR8201", BadRequest,
        "This tenant's app management policy forbids new client secrets (passwordAddition). Add a certificate (keyCredentials) or a federated identity credential instead; see the guide on keeping credentials out of code.");
    public static readonly TesseraError ExpiringWindowInvalid = new("TSR8202", BadRequest,
        "withinDays must be a whole number of days from 1 to 730; credentials that end within that many days, or have ended, are listed.");

    // Mutual TLS (RFC 8705): client authentication with a certificate and tokens bound to it (TSR8203–TSR8209, TSR8212–TSR8214)
    public static readonly TesseraError MtlsPortNotListening = new("TSR8203", "configuration_error",
        "Tessera:Mtls:Port is {0}, but the server listens on no HTTPS address with that port ({1}). Add https://<host>:{0} to --urls: mutual TLS needs its own HTTPS port.");
    public static readonly TesseraError MtlsProxyInvalid = new("TSR8204", "configuration_error",
        "Tessera:Mtls:ForwardedCertificate needs Header (the request header your proxy puts the client certificate in) and KnownProxies (the proxy's IP addresses); '{0}' is not usable. Without both, forwarded certificates are not read.");
    public static readonly TesseraError MtlsPublicOriginMissing = new("TSR8208", "configuration_error",
        "Tessera:Mtls:Port is {0} but Tessera:PublicOrigin is not set. Tokens issued on the mutual TLS port must name the same issuer as the others: set Tessera:PublicOrigin to the origin clients use for everything else (https://id.example.com).");
    public static readonly TesseraError CertificateRequired = new("TSR8205", InvalidClient,
        "This application must authenticate with one of its certificates over mutual TLS (tlsClientCertificateBoundAccessTokens): send the request to the token endpoint named in mtls_endpoint_aliases of the discovery document, with the certificate.");
    public static readonly TesseraError CertificateNotRegistered = new("TSR8206", InvalidClient,
        "The client certificate is not one of this application's current certificates (keyCredentials): add it to the application, or present a certificate that is registered and not expired.");
    public static readonly TesseraError MtlsPortEndpointsOnly = new("TSR8212", "not_found",
        "This port serves only the endpoints that take client certificates (mtls_endpoint_aliases in the discovery document: token, introspection, revocation, device authorization). Use the server's public origin for everything else.");
    public static readonly TesseraError RefreshTokenBound = new("TSR8214", "invalid_grant",
        "This refresh token is bound to the client certificate it was issued to: send it to the mutual TLS token endpoint (mtls_endpoint_aliases) with that certificate.");
    public static readonly TesseraError BoundTokensNeedCertificate = new("TSR8207", BadRequest,
        "tlsClientCertificateBoundAccessTokens needs at least one certificate in keyCredentials of a confidential application: add the certificate in the same request or before, and keep one while the setting is on.");

    // The platform's signing keys (TSR821x)
    public static readonly TesseraError SigningKeysPlatformOnly = new("TSR8210", "Authorization_RequestDenied",
        "Signing keys are shared by every tenant; only administrators of the platform's first tenant may list or rotate them.");
    public static readonly TesseraError RetireMomentInPast = new("TSR8211", BadRequest,
        "retirePreviousAt must be now or later (an ISO 8601 date and time); to stop trusting the previous keys at once, send the current time.");

    // Where the Data Protection key ring lives (TSR823x)
    public static readonly TesseraError KeyRingStoreUnknown = new("TSR8230", "configuration_error",
        "Tessera:KeyRing:Store is '{0}'. Use 'Database' (the default: shared by every node) or 'FileSystem' (with Tessera:KeyRing:Path, a folder only this account can read).");
    public static readonly TesseraError KeyRingFolderOpen = new("TSR8231", "configuration_error",
        "The key ring folder '{0}' can be read or written by other accounts ({1}). Restrict it to the account Tessera runs as (chmod 700), or let Tessera create it.");
}
