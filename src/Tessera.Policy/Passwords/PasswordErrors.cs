using Tessera.Policy.Errors;

namespace Tessera.Policy.Passwords;

/// <summary>
/// TSR50xx: why a password was refused, in a sentence that tells the person what to choose instead and never repeats
/// the password. The OAuth error field carries Microsoft Graph's error code, as the admin API answers with it.
/// </summary>
public static class PasswordErrors
{
    private const string BadRequest = "Request_BadRequest";

    public static readonly TesseraError TooShort = new("TSR5001", BadRequest,
        "The password is too short: use at least {0} characters. A few unrelated words make a long password that is easy to remember.");
    public static readonly TesseraError TooLong = new("TSR5002", BadRequest,
        "The password is too long: use at most {0} characters.");
    public static readonly TesseraError Common = new("TSR5003", BadRequest,
        "The password is one of the most common passwords, which attackers try first. Choose a few unrelated words instead.");
    public static readonly TesseraError CommonWord = new("TSR5004", BadRequest,
        "The password is a common word or name with digits or symbols added, which attackers try first. Choose a few unrelated words instead.");
    public static readonly TesseraError OrganisationName = new("TSR5005", BadRequest,
        "The password contains the organisation's name or domain, which attackers try first. Leave it out.");
    public static readonly TesseraError UserName = new("TSR5006", BadRequest,
        "The password contains part of the user's name or user name, which attackers try first. Leave it out.");
    public static readonly TesseraError SprayWord = new("TSR5007", BadRequest,
        "The password contains a word attackers try on every account, such as 'password' or 'welcome'. Leave it out.");
    public static readonly TesseraError SprayPattern = new("TSR5008", BadRequest,
        "The password is a season, month, day or sports team with digits or symbols added, which attackers try on every account. Choose a few unrelated words instead.");
    public static readonly TesseraError KeyboardWalk = new("TSR5009", BadRequest,
        "The password is mostly a run of neighbouring keys or a sequence (such as qwerty or 12345). Choose a few unrelated words instead.");
    public static readonly TesseraError Repetitive = new("TSR5010", BadRequest,
        "The password repeats the same few characters. Choose a few unrelated words instead.");
    public static readonly TesseraError Banned = new("TSR5011", BadRequest,
        "The password contains a word the organisation has banned from passwords. Leave it out, even with letters swapped for digits or symbols.");
    public static readonly TesseraError Empty = new("TSR5012", BadRequest,
        "The password is empty. Choose one of at least {0} characters.");
}
