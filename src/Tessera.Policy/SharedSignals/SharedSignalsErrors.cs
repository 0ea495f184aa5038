using Tessera.Policy.Errors;

namespace Tessera.Policy.SharedSignals;

/// <summary>The shared-signals transmitter's numbered errors (TSR80xx).</summary>
public static class SharedSignalsErrors
{
    public static readonly TesseraError TokenRequired = new("TSR8000", "invalid_token",
        "A valid bearer token for urn:tessera:ssf is required. Get one from this tenant's token endpoint with grant_type=client_credentials and scope=urn:tessera:ssf/.default.");
    public static readonly TesseraError TokenNotForTenant = new("TSR8001", "invalid_token",
        "The token was not issued to an application of this tenant. Get a token from this tenant's token endpoint with scope=urn:tessera:ssf/.default.");
    public static readonly TesseraError ApplicationOnly = new("TSR8002", "invalid_token",
        "Streams belong to applications: use an app-only token (client_credentials with scope=urn:tessera:ssf/.default), not a user's token.");
    public static readonly TesseraError ApplicationDisabled = new("TSR8003", "invalid_token",
        "The calling application is not an enabled service principal of this tenant. Enable it, or register the API in this tenant.");
    public static readonly TesseraError StreamNotFound = new("TSR8004", "not_found",
        "The stream '{0}' does not exist, or belongs to another application. List your streams with GET on the configuration endpoint.");
    public static readonly TesseraError BodyInvalid = new("TSR8005", "invalid_request",
        "The request body is not valid: {0}");
    public static readonly TesseraError DeliveryMethodUnsupported = new("TSR8006", "invalid_request",
        "The delivery method '{0}' is not supported. Use 'urn:ietf:rfc:8935' (push) or 'urn:ietf:rfc:8936' (poll).");
    public static readonly TesseraError PushEndpointInvalid = new("TSR8007", "invalid_request",
        "The push endpoint_url '{0}' is not allowed. Give an absolute https URL (plain http only to a loopback address such as 127.0.0.1 or localhost).");
    public static readonly TesseraError EventTypesUnsupported = new("TSR8008", "invalid_request",
        "None of the requested event types is supported. Ask for some of: {0}.");
    public static readonly TesseraError StreamIdRequired = new("TSR8009", "invalid_request",
        "Name the stream with the 'stream_id' query parameter (or body member).");
    public static readonly TesseraError StatusInvalid = new("TSR8010", "invalid_request",
        "The status '{0}' is not valid. Use 'enabled', 'paused' or 'disabled'.");
    public static readonly TesseraError TooManyStreams = new("TSR8011", "invalid_request",
        "This application already has {0} streams in this tenant, the most allowed. Delete streams it no longer uses.");
    public static readonly TesseraError DeliveryChangeNotAllowed = new("TSR8012", "invalid_request",
        "The delivery method of a stream cannot change. Delete the stream and create another.");
    public static readonly TesseraError PollEndpointNotPush = new("TSR8013", "invalid_request",
        "The stream '{0}' delivers by push, not by poll. Receive its events at your endpoint_url, or create a poll stream.");
    public static readonly TesseraError StreamChanged = new("TSR8014", "conflict",
        "The stream changed or was deleted while this request was handled. Read it again, then repeat the request.");
    public static readonly TesseraError PushEndpointAddressUnfit = new("TSR8025", "invalid_request",
        "The push endpoint_url '{0}' leads to {1}, an unspecified, link-local (cloud metadata), multicast or broadcast address, where Tessera never delivers. Give the address your API listens on.");
    public static readonly TesseraError NotBeforeInvalid = new("TSR8020", "invalid_request",
        "The claims request for access_token.nbf must be Unix seconds as a string, not more than five minutes ahead. Send the claims value the API's challenge gave, as it is.");
    public static readonly TesseraError SignInOlderThanRequested = new("TSR8021", "invalid_grant",
        "The sign-in behind this refresh token is older than the API asks (access_token.nbf), as after a password change or revoked sessions. Sign the user in again with the same claims request.")
    {
        SubError = "bad_token",
    };
    public static readonly TesseraError CaeLifetimeInvalid = new("TSR8090", "configuration_error",
        "Tessera:SharedSignals:CaeAccessTokenLifetime is {0}; it must be between 6 and 24 hours (tokens then live that long, four hours more or less at random).");
}
