using System.Globalization;

namespace Tessera.AspNetCore.Diagnostics;

/// <summary>
/// The SDK's numbered messages. TSR08xx: configuration, refused at start-up; TSR28xx: why a token was refused.
/// A code never changes meaning once shipped; tests assert codes, not sentences. The server's catalogue
/// (Tessera.Policy) keeps the other numbers: the SDK depends on nothing of the server.
/// </summary>
internal static class TesseraApiErrors
{
    // Configuration (TSR08xx)
    public const string OptionMissing = "TSR0801: The '{0}' option of the Tessera API scheme '{1}' must be provided.";
    public const string InstanceInvalid = "TSR0802: Instance '{0}' is not an absolute http(s) URL without query or fragment. Give the Tessera server's base address, e.g. https://id.example.com/.";
    public const string InstanceNotHttps = "TSR0803: Instance '{0}' uses plain HTTP on a host that is not loopback. Tokens and keys would travel unprotected: use HTTPS.";
    public const string TenantIdInvalid = "TSR0804: TenantId '{0}' is neither a tenant id (a GUID) nor 'organizations' or 'common'. Issuers name tenants by id: use the GUID, not a domain name.";
    public const string AllowedTenantsInvalid = "TSR0805: AllowedTenants {0}. List tenant ids (GUIDs), and only for a multitenant API (TenantId 'organizations' or 'common').";
    public const string AudienceInvalid = "TSR0806: {0} Tessera access tokens carry the API's application id (a GUID) in 'aud': set ClientId (or Audience) to it.";
    public const string ClockSkewInvalid = "TSR0807: ClockSkew {0} is outside 0 to 1 minute. A larger skew keeps expired tokens alive: fix the clocks instead.";
    public const string TokenCacheInvalid = "TSR0808: {0}";
    public const string JwtBearerLoosened = "TSR0809: The JwtBearer options of scheme '{0}' were changed in a way that would bypass Tessera's validation ({1}). Configure Tessera APIs through TesseraApiOptions; keys and issuers come only from the tenant's metadata.";
    public const string ContinuousAccessMultitenant = "TSR0810: ContinuousAccess needs a single tenant: set TenantId to the tenant's id. A stream carries the events of one tenant.";
    public const string ContinuousAccessClientId = "TSR0811: ContinuousAccess needs ClientId, the API's application id (a GUID): its event stream belongs to that application and events are addressed to it.";
    public const string ContinuousAccessCredential = "TSR0812: ContinuousAccess needs exactly one client credential of the API's application: ClientSecret or ClientCertificate.";
    public const string ContinuousAccessCertificateKey = "TSR0813: ContinuousAccess.ClientCertificate has no private key; load the certificate with its key to sign client assertions.";
    public const string ContinuousAccessPushEndpoint = "TSR0814: ContinuousAccess.PushEndpoint '{0}' is not an absolute https URL (http only on loopback) without query or fragment. Give the address at which the Tessera server reaches this API instance, or use Delivery Poll.";
    public const string ContinuousAccessDelivery = "TSR0815: ContinuousAccess.Delivery '{0}' is neither Push nor Poll.";
    public const string ContinuousAccessPushPathShared = "TSR0816: Schemes '{1}' and '{2}' both receive security events at path '{0}'. Give each scheme's ContinuousAccess.PushEndpoint a path of its own.";

    // Token refusals (TSR28xx)
    public const string NotASignedJwt = "TSR2801: The token is not a signed JWT.";
    public const string KeyLocationHeader = "TSR2802: The token's header names a key ('{0}'). Keys are taken only from the tenant's JWKS.";
    public const string CriticalHeader = "TSR2803: The token's header has a 'crit' parameter, which this API does not process.";
    public const string NotAnAccessToken = "TSR2804: The token's type is '{0}', not 'at+jwt': it is not an access token (an ID token, say).";
    public const string AlgorithmRefused = "TSR2805: The token is signed with '{0}'; only asymmetric algorithms are accepted.";
    public const string TenantRefused = "TSR2806: The token's tenant ('tid') is missing or is not one this API accepts.";
    public const string IssuerRefused = "TSR2807: The token's issuer is not the issuer of its tenant.";
    public const string MetadataIssuerMismatch = "TSR2808: The tenant's discovery document names issuer '{0}', not '{1}'. Check Instance.";
    public const string NoExpiry = "TSR2809: The token has no expiry ('exp').";
    public const string Expired = "TSR2810: The token expired at {0:O}.";
    public const string NotYetValid = "TSR2811: The token is not valid before {0:O}.";
    public const string MetadataUnavailable = "TSR2812: The metadata of tenant '{0}' could not be read.";
    public const string Revoked = "TSR2813: The token was issued before access of its subject was revoked ({0}); get a new token.";

    // Certificate-bound tokens (RFC 8705), numbered with the server's mutual TLS messages (TSR820x)
    public const string CertificateMissing = "TSR8209: The token is bound to a client certificate (cnf x5t#S256) and the request came without one. Call this API over mutual TLS with the certificate the token was issued to.";
    public const string CertificateMismatch = "TSR8213: The token is bound to a client certificate (cnf x5t#S256) that is not the one this request came with. Call this API with the certificate the token was issued to.";

    // Continuous Access Evaluation refusals that share the server's TSR80xx range.
    public const string OutsideNetwork = "TSR8024: The token may be used only from the networks Conditional Access allowed when it was issued (strict location enforcement); this request comes from {0}. Get a new token from where the API is called; behind a proxy, the API must apply the forwarded client address (ForwardedHeaders).";

    // Security event tokens refused (TSR282x)
    public const string SetMalformed = "TSR2820: The body is not a signed JWT.";
    public const string SetType = "TSR2821: The token's type is '{0}', not 'secevent+jwt'.";
    public const string SetSignature = "TSR2822: The signature does not verify with the tenant's keys ({0}).";
    public const string SetIssuer = "TSR2823: The issuer is not the tenant's issuer.";
    public const string SetAudience = "TSR2824: The audience is not this API's application id.";
    public const string SetClaims = "TSR2825: The SET {0}.";
    public const string SetTime = "TSR2826: The SET's 'iat' {0}.";
    public const string SetReplayed = "TSR2827: A SET with this 'jti' was received already.";
    public const string SetSubject = "TSR2828: The event's subject {0}.";
    public const string SetAuthorization = "TSR2829: The Authorization header is not the one this API gave for its stream.";
    public const string SetContentType = "TSR2830: The body must be a SET with Content-Type application/secevent+jwt.";

    public static string Format(string message, params object?[] arguments) => string.Format(CultureInfo.InvariantCulture, message, arguments);
}
