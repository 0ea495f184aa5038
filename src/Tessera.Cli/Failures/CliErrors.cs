using Tessera.Policy.Errors;

namespace Tessera.Cli.Failures;

/// <summary>
/// TSR7xxx: what the command line itself reports, each with a sentence a person can act on. The second field names
/// the kind of failure (there is no OAuth error here); the exit code is chosen where the failure is raised.
/// </summary>
internal static class CliErrors
{
    public static readonly TesseraError NotSignedIn = new("TSR7001", "usage",
        "Not signed in (profile '{0}'). Run 'tessera login --device --authority <issuer>', 'tessera login --bootstrap <bootstrap.json>' or 'tessera login --authority <issuer> --client-id <id> --certificate <file.pfx>'.");
    public static readonly TesseraError DeviceCodeUnavailable = new("TSR7002", "usage",
        "The authority '{0}' offers no device-code sign-in: its discovery document names no device_authorization_endpoint. Sign in with --bootstrap or --certificate.");
    public static readonly TesseraError InvalidArguments = new("TSR7003", "usage",
        "{0} Run '{1} --help' for usage.");
    public static readonly TesseraError BootstrapUnreadable = new("TSR7004", "usage",
        "'{0}' is not a readable bootstrap file: {1}");
    public static readonly TesseraError CertificateUnreadable = new("TSR7005", "usage",
        "'{0}' cannot be loaded as a PKCS#12 certificate with its private key: {1}");
    public static readonly TesseraError CertificatePasswordMissing = new("TSR7006", "usage",
        "The environment variable '{0}' named by --certificate-password-env is not set.");
    public static readonly TesseraError ServerUnreachable = new("TSR7007", "unavailable",
        "Cannot reach {0}: {1}");
    public static readonly TesseraError UnexpectedResponse = new("TSR7008", "unavailable",
        "{0} answered with something other than the JSON the API promises: {1}");
    public static readonly TesseraError HttpStatus = new("TSR7009", "http",
        "{0} answered {1} ({2}).");
    public static readonly TesseraError SessionUnreadable = new("TSR7010", "usage",
        "The session file '{0}' cannot be read ({1}). Run 'tessera login' again.");
    public static readonly TesseraError SignInRefused = new("TSR7011", "refused",
        "The token endpoint refused the sign-in: {0}");
    public static readonly TesseraError InsecureAddress = new("TSR7012", "usage",
        "{0} '{1}' must be an absolute https:// address (plain http is allowed only for loopback addresses).");
    public static readonly TesseraError IssuerNotTenantIssuer = new("TSR7013", "usage",
        "The issuer '{0}' does not end with '/{1}/v2.0', so the admin API's address cannot be derived from it. Pass --server <origin>.");
    public static readonly TesseraError DiscoveryMismatch = new("TSR7014", "unavailable",
        "The discovery document at '{0}' names the issuer '{1}', not the authority asked for; refusing to send credentials to it.");
    public static readonly TesseraError NotFound = new("TSR7015", "refused",
        "No {0} matches '{1}'.");
    public static readonly TesseraError Ambiguous = new("TSR7016", "usage",
        "{0} {1} match '{2}'; name one by its id.");
    public static readonly TesseraError ForeignNextLink = new("TSR7017", "unavailable",
        "The server's @odata.nextLink '{0}' points outside the admin API at '{1}'; refusing to send the token there.");
    public static readonly TesseraError ProfileNameInvalid = new("TSR7018", "usage",
        "The profile name '{0}' may only hold letters, digits, '-', '_' and '.', and must start with a letter or digit.");
    public static readonly TesseraError Interrupted = new("TSR7019", "unavailable",
        "The request to {0} did not finish: {1}");
    public static readonly TesseraError LocalFile = new("TSR7020", "usage",
        "Cannot use the local file: {0}");
    public static readonly TesseraError CliClientUnknown = new("TSR7021", "usage",
        "The authority '{0}' names no client for the command line (no tessera_cli_client_id in its discovery document). Pass --client-id <appId> of a registration that allows public client flows.");
    public static readonly TesseraError DeviceCodeDenied = new("TSR7022", "refused",
        "The sign-in was cancelled on the verification page (access_denied); nothing was saved.");
    public static readonly TesseraError DeviceCodeExpired = new("TSR7023", "refused",
        "The code expired before anyone approved it (expired_token); nothing was saved. Run 'tessera login --device' again.");
    public static readonly TesseraError SessionExpired = new("TSR7024", "refused",
        "The session can no longer be renewed: {0} Sign in again with 'tessera login --device --authority {1}'.");
    public static readonly TesseraError AssessInputUnreadable = new("TSR7025", "usage",
        "The export '{0}' cannot be read: {1}");
    public static readonly TesseraError AssessNoRegistrations = new("TSR8300", "usage",
        "Nothing to assess: {0} hold(s) no registrations. Add --input with a Microsoft Graph applications export (GET /v1.0/applications, 'az ad app list --all') or a Keycloak realm export.");
    public static readonly TesseraError AssessInputRepeated = new("TSR8301", "usage",
        "'{0}' and '{1}' are both {2} exports. Give at most one of each: applications, servicePrincipals, oauth2PermissionGrants.");
    public static readonly TesseraError AssessGrantsWithoutServicePrincipals = new("TSR8302", "usage",
        "'{0}' holds delegated permission grants, but no service principals export goes with it, and grants name applications only by their service principals' ids. Add --input with one (GET /v1.0/servicePrincipals, 'az ad sp list --all'), or put it beside as '{1}'.");
    public static readonly TesseraError AssessServicePrincipalsWithKeycloak = new("TSR8303", "usage",
        "'{0}' is a Keycloak realm export; service principal and grant exports go with a Microsoft Graph applications export only. Assess the realm alone.");
    public static readonly TesseraError AssessCodeUnbuildable = new("TSR7031", "usage",
        "The code in '{0}' cannot be analyzed: {1}");
    public static readonly TesseraError Unexpected = new("TSR7099", "unavailable",
        "Unexpected failure ({0}): {1}");
}
