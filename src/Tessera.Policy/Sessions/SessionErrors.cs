using Tessera.Policy.Errors;

namespace Tessera.Policy.Sessions;

/// <summary>TSR53xx: sign-in sessions, their timeouts and the requests that end them.</summary>
public static class SessionErrors
{
    private const string BadRequest = "Request_BadRequest";

    public static readonly TesseraError IdleTimeoutInvalid = new("TSR5301", BadRequest,
        "idleTimeout: '{0}' is not allowed. Give an ISO 8601 duration in whole minutes from PT5M to PT24H (for example PT1H), or null for the server's default.");
    public static readonly TesseraError AbsoluteTimeoutInvalid = new("TSR5302", BadRequest,
        "absoluteTimeout: '{0}' is not allowed. Give an ISO 8601 duration in whole minutes from PT15M to P30D (for example PT12H), or null for the server's default.");
    public static readonly TesseraError IdleLongerThanAbsolute = new("TSR5303", BadRequest,
        "idleTimeout ({0}) is longer than absoluteTimeout ({1}); a session would always reach its absolute end first. Shorten idleTimeout or lengthen absoluteTimeout.");
    public static readonly TesseraError PolicyPropertyUnsupported = new("TSR5304", BadRequest,
        "'{0}' cannot be set on the session policy; it has idleTimeout and absoluteTimeout.");
    public static readonly TesseraError SessionNotFound = new("TSR5305", "Request_ResourceNotFound",
        "Sign-in session '{0}' does not exist for this user. GET /admin/v1/users/{{id}}/signInSessions lists the user's sessions.");
    public static readonly TesseraError SessionIdInvalid = new("TSR5306", BadRequest,
        "'{0}' is not a sign-in session id; session ids are GUIDs, as GET /admin/v1/users/{{id}}/signInSessions lists them.");
    public static readonly TesseraError ServerIdleTimeoutInvalid = new("TSR5307", "configuration_error",
        "Tessera:Sessions:IdleTimeout is '{0}'; it must be from 00:05:00 to 1.00:00:00 and no longer than Tessera:Sessions:AbsoluteTimeout.");
    public static readonly TesseraError ServerAbsoluteTimeoutInvalid = new("TSR5308", "configuration_error",
        "Tessera:Sessions:AbsoluteTimeout is '{0}'; it must be from 00:15:00 to 30.00:00:00.");
    public static readonly TesseraError RefreshAfterSignOut = new("TSR5309", "invalid_grant",
        "The refresh token comes from a browser session that has been signed out. The user must sign in to the application again.");
}
