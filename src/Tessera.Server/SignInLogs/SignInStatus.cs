using Tessera.Directory.Audit;
using Tessera.Policy.Errors;

namespace Tessera.Server.SignInLogs;

/// <summary>
/// How a sign-in ended, as Graph's <c>signInStatus</c> reports it: 0 for success, otherwise Microsoft Entra ID's
/// number for the same failure, so that queries and alerts written for Entra ID sign-in logs work unchanged.
/// </summary>
public sealed record SignInStatus(int ErrorCode, string? FailureReason)
{
    public static readonly SignInStatus Success = new(0, null);

    /// <summary>Wrong password, or a user name that names nobody: one code for both, as on the page.</summary>
    public static readonly SignInStatus InvalidCredentials = new(50126, "Invalid username or password");
    public static readonly SignInStatus AccountLocked = new(50053, "Account is locked");
    public static readonly SignInStatus AccountDisabled = new(50057, "User account is disabled");

    /// <summary>The source was detected spraying passwords and is not one the account signs in from (Entra ID's 50053 for the same).</summary>
    public static readonly SignInStatus BlockedSource = new(50053, "Sign-in was blocked because it came from an IP address with malicious activity");

    /// <summary>The password was right; the second step (authenticator app or recovery code) is pending.</summary>
    public static readonly SignInStatus MfaRequired = new(50074, "Strong authentication is required");

    /// <summary>A wrong, expired or reused authenticator or recovery code.</summary>
    public static readonly SignInStatus MfaFailed = new(500121, "Authentication failed during strong authentication request");

    /// <summary>A passkey assertion that did not verify (tampered, foreign, or for a passkey no longer registered).</summary>
    public static readonly SignInStatus PasskeyFailed = new(1, "The passkey could not be verified");

    /// <summary>The sign-in succeeded but is weaker than the application asked for (acr_values).</summary>
    public static readonly SignInStatus StrongerMethodRequired = new(50074, "Strong authentication is required: the application asked for a stronger method");

    /// <summary>An enforced Conditional Access policy blocks the sign-in.</summary>
    public static readonly SignInStatus ConditionalAccessBlocked = new(53003, "Access has been blocked by Conditional Access policies");

    /// <summary>An enforced Conditional Access policy asks for a stronger or fresher sign-in than the session has.</summary>
    public static readonly SignInStatus ConditionalAccessMfaRequired = new(50076, "Conditional Access requires a stronger or fresher sign-in");

    /// <summary>The status of a refusal the token endpoint returned, by its Tessera code.</summary>
    public static SignInStatus Of(TesseraError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Code switch
        {
            "TSR2018" => AccountDisabled,
            "TSR2004" => new(700016, "Application not found in the directory"),
            "TSR2009" => new(500011, "The resource principal was not found in the tenant"),
            "TSR2029" => new(500014, "The service principal for the resource is disabled"),
            "TSR2030" => new(501051, "Application is not assigned to a role for the API"),
            "TSR2031" => new(50105, "The signed in user is not assigned to a role for the application"),
            "TSR2070" or "TSR2072" or "TSR2074" or "TSR2075" => ConditionalAccessBlocked,
            "TSR2071" or "TSR2073" or "TSR2076" => ConditionalAccessMfaRequired,
            "TSR2063" => new(65001, "The user or administrator has not consented to use the application"),

            // A refusal Entra ID has no number for: still a failure, described in Tessera's words.
            _ => new(1, error.Description.Length <= SignInEvent.NameLength ? error.Description : error.Description[..SignInEvent.NameLength]),
        };
    }
}
