using Tessera.Policy.Errors;

namespace Tessera.Policy.SignIns;

/// <summary>TSR502x–TSR504x: rate limits, and the admin API's password protection policy, risk detections and risky users.</summary>
public static class SignInProtectionErrors
{
    private const string BadRequest = "Request_BadRequest";

    public static readonly TesseraError TooManyTokenRequests = new("TSR5020", "temporarily_unavailable",
        "Too many token requests from this address or for this client. Wait {0} seconds (the Retry-After header) before trying again, and reuse tokens until they expire instead of requesting new ones.");
    public static readonly TesseraError TooManySignIns = new("TSR5021", "temporarily_unavailable",
        "Too many sign-in attempts from this address. Wait {0} seconds and try again.");

    public static readonly TesseraError PolicyPropertyUnsupported = new("TSR5030", BadRequest,
        "'{0}' is not a property of the password protection policy that can be changed. Send bannedPasswordList, enableBannedPasswordCheck, lockoutThreshold or lockoutDurationInSeconds.");
    public static readonly TesseraError BannedListShape = new("TSR5031", BadRequest,
        "bannedPasswordList must be an array of strings.");
    public static readonly TesseraError BannedListTooLong = new("TSR5032", BadRequest,
        "bannedPasswordList holds {0} entries; at most {1} are allowed. Keep the words specific to your organisation: common passwords are already refused.");
    public static readonly TesseraError BannedWordInvalid = new("TSR5033", BadRequest,
        "bannedPasswordList[{0}] {1}.");
    public static readonly TesseraError EnableBannedCheckShape = new("TSR5034", BadRequest,
        "enableBannedPasswordCheck must be true or false.");
    public static readonly TesseraError LockoutThresholdInvalid = new("TSR5035", BadRequest,
        "lockoutThreshold must be a whole number from {0} to {1} (failed sign-ins before an account is locked; 10 is the default).");
    public static readonly TesseraError LockoutDurationInvalid = new("TSR5036", BadRequest,
        "lockoutDurationInSeconds must be a whole number from {0} to {1} (how long the first lockout lasts; 60 is the default).");

    public static readonly TesseraError RiskyUserIdsShape = new("TSR5040", BadRequest,
        "Send {{\"userIds\": [\"<user id>\", ...]}}: from 1 to {0} user object ids (GUIDs), as GET /admin/v1/users lists them.");
    public static readonly TesseraError RiskyUserUnknown = new("TSR5041", "Request_ResourceNotFound",
        "No user with object id {0} exists in this tenant; nothing was changed. GET /admin/v1/users lists the users.");
    public static readonly TesseraError RiskyUsersQueryUnsupported = new("TSR5042", BadRequest,
        "'{0}' is not supported on riskyUsers; the list holds every user with risk, highest risk first, and takes only $top (1 to 999). Use GET /admin/v1/identityProtection/riskyUsers/{{id}} for one user.");
}
