using Tessera.Policy.Errors;

namespace Tessera.Policy.Authentication;

/// <summary>
/// Errors of the sign-in steps after the password, of passkeys and of the Security info page (TSR52xx). Pages show
/// <see cref="TesseraError.Description"/>: the code first, then what the person can do.
/// </summary>
public static class AuthenticationErrors
{
    public static readonly TesseraError CodeInvalid = new("TSR5201", "access_denied",
        "That code is not right, or was already used. Enter the 6-digit code your authenticator app shows now; each code works once. After too many attempts the account is locked for a few minutes.");
    public static readonly TesseraError RecoveryCodeInvalid = new("TSR5202", "access_denied",
        "That recovery code is not right, or was already used. Each recovery code works once; type one of your unused codes as it was shown.");
    public static readonly TesseraError SecondStepExpired = new("TSR5203", "login_required",
        "Your sign-in took too long or was not started here. Sign in again with your user name and password.");
    public static readonly TesseraError PasskeyFailed = new("TSR5204", "access_denied",
        "The passkey could not be used to sign you in. Try again, or sign in with your user name and password.");
    public static readonly TesseraError PasskeyNotRegistered = new("TSR5205", "invalid_request",
        "The passkey could not be added. Start again with \"Add a passkey\" and follow your browser's prompts; if it keeps failing, this device's passkey may already be registered.");
    public static readonly TesseraError PasskeyNameInvalid = new("TSR5206", "invalid_request",
        "A passkey's name must be 1 to 64 characters. Give it a name you will recognise, such as the device it is on.");
    public static readonly TesseraError PasskeyUnknown = new("TSR5207", "invalid_request",
        "That passkey is not one of yours (it may have been removed already). Reload the page and try again.");
    public static readonly TesseraError LastMethod = new("TSR5208", "invalid_request",
        "This is the only way you can sign in: your account has no password. Add another passkey first, then remove this one.");
    public static readonly TesseraError AuthenticatorNotSetUp = new("TSR5209", "invalid_request",
        "Set up an authenticator app first: recovery codes stand in for it when it is not at hand.");
    public static readonly TesseraError StrongerMethodRequired = new("TSR5210", "interaction_required",
        "The application requires {0}. {1}");
    public static readonly TesseraError ChangeFailed = new("TSR5211", "temporarily_unavailable",
        "Your security info was changed elsewhere at the same moment, so nothing was changed. Reload the page and try again.");
    public static readonly TesseraError AuthenticatorAlreadySetUp = new("TSR5212", "invalid_request",
        "An authenticator app is already set up. Remove it first if you want to set up another one.");
}
