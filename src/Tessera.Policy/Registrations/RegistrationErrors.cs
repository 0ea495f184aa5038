using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>TSR3xxx: the admin API refused a value; each names the field and the rule it breaks.</summary>
public static class RegistrationErrors
{
    private const string BadRequest = "Request_BadRequest";

    public static readonly TesseraError RedirectUriNotAbsolute = new("TSR3001", BadRequest, "{0}: '{1}' is not an absolute URI.");
    public static readonly TesseraError RedirectUriWildcard = new("TSR3002", BadRequest, "{0}: '{1}' contains a wildcard; register each redirect URI exactly.");
    public static readonly TesseraError RedirectUriFragment = new("TSR3003", BadRequest, "{0}: '{1}' contains a fragment (#), which redirect URIs may not have.");
    public static readonly TesseraError RedirectUriNotHttps = new("TSR3004", BadRequest, "{0}: '{1}' must use HTTPS; plain HTTP is allowed only for loopback addresses of public (native) clients.");
    public static readonly TesseraError RedirectUriScheme = new("TSR3005", BadRequest, "{0}: '{1}' uses a scheme only native public clients may use, as a reverse domain name (com.example.app:/callback).");
    public static readonly TesseraError IdentifierUriInvalid = new("TSR3006", BadRequest, "identifierUris: '{0}' is not a valid identifier URI (absolute, no wildcard, query or fragment).");
    public static readonly TesseraError IdentifierUriNotVerified = new("TSR3007", BadRequest, "identifierUris: '{0}' must be api://{{appId}} or a URI on one of the tenant's verified domains.");
    public static readonly TesseraError SecretEndInPast = new("TSR3008", BadRequest, "passwordCredential.endDateTime must be in the future.");
    public static readonly TesseraError SecretTooLong = new("TSR3009", BadRequest, "passwordCredential.endDateTime is too far away: this tenant allows secrets of at most {0} days. Prefer a certificate or a federated credential.");
    public static readonly TesseraError CertificateExpired = new("TSR3010", BadRequest, "keyCredentials: the certificate has expired.");
    public static readonly TesseraError CertificateUsage = new("TSR3011", BadRequest, "keyCredentials: the certificate's key usage does not allow digital signatures.");
    public static readonly TesseraError CertificateWeakKey = new("TSR3012", BadRequest, "keyCredentials: a {0} key of {1} bits is too weak; use RSA of 2048 bits or more, or ECDSA P-256 or stronger.");
    public static readonly TesseraError CertificateUnreadable = new("TSR3013", BadRequest, "keyCredentials.key is not a base64 DER certificate.");
    public static readonly TesseraError LastOwner = new("TSR3014", BadRequest, "owners: an application must keep at least one owner; add another owner before removing this one.");
    public static readonly TesseraError DisplayNameRequired = new("TSR3015", BadRequest, "displayName is required (1 to 256 characters).");
    public static readonly TesseraError SignInAudienceUnknown = new("TSR3016", BadRequest, "signInAudience: '{0}' is not supported; use AzureADMyOrg (the default) or AzureADMultipleOrgs.");
    public static readonly TesseraError IdentifierUriTaken = new("TSR3017", BadRequest, "identifierUris: '{0}' is already used by another application in this tenant.");
    public static readonly TesseraError Malformed = new("TSR3018", BadRequest, "The request body is not valid JSON for this resource: {0}");
    public static readonly TesseraError ReadOnlyProperty = new("TSR3019", BadRequest, "'{0}' cannot be set by the caller.");
    public static readonly TesseraError UserNameInvalid = new("TSR3020", BadRequest, "userPrincipalName: '{0}' must be name@domain with a domain of this tenant.");
    public static readonly TesseraError UserNameTaken = new("TSR3021", BadRequest, "userPrincipalName: '{0}' is already taken.");
    public static readonly TesseraError PasswordRejected = new("TSR3022", BadRequest, "passwordProfile.password: {0}");

    // Users, groups, admin roles and domains.
    public static readonly TesseraError PropertyRequired = new("TSR3023", BadRequest, "'{0}' is required.");
    public static readonly TesseraError UserDomainNotVerified = new("TSR3024", BadRequest, "userPrincipalName: the domain '{0}' is not verified yet; verify it (POST /admin/v1/domains/{0}/verify) before creating users on it.");
    public static readonly TesseraError MailInvalid = new("TSR3025", BadRequest, "mail: '{0}' is not an e-mail address.");
    public static readonly TesseraError ForceChangePasswordUnsupported = new("TSR3026", BadRequest, "passwordProfile.forceChangePasswordNextSignIn is not supported yet (sign-in has no change-password step): leave it out or send false.");
    public static readonly TesseraError PrivilegedUserProtected = new("TSR3027", "Authorization_RequestDenied", "'{0}' holds an admin role: changing the password, sign-in state or existence of an administrator needs RoleManagement.ReadWrite.Directory, so that a user administrator cannot take over an administrator's account.");
    public static readonly TesseraError LastGlobalAdministrator = new("TSR3028", BadRequest, "This would leave the tenant without an enabled Global Administrator. Assign the role to another person first; an application holding Directory.ReadWrite.All (such as the bootstrap client) may still do it.");
    public static readonly TesseraError GroupTypeUnsupported = new("TSR3029", BadRequest, "Only security groups are supported: leave mailEnabled out or send false, and send no groupTypes.");
    public static readonly TesseraError MailNicknameInvalid = new("TSR3030", BadRequest, "mailNickname: '{0}' must be 1 to 64 characters of letters, digits, '-', '_' or '.'.");
    public static readonly TesseraError MemberNotUser = new("TSR3031", BadRequest, "members: '{0}' is not a user of this tenant; groups hold users only.");
    public static readonly TesseraError RolePrincipalNotUser = new("TSR3032", BadRequest, "principalId: '{0}' is not a user of this tenant; admin roles are held by people (applications get app roles on the admin API instead).");
    public static readonly TesseraError RoleScopeUnsupported = new("TSR3033", BadRequest, "directoryScopeId: '{0}' is not supported; admin roles apply to the whole tenant ('/').");
    public static readonly TesseraError RoleAlreadyAssigned = new("TSR3034", "Request_Conflict", "The principal already holds this role (roleAssignment '{0}').");
    public static readonly TesseraError DomainNameInvalid = new("TSR3035", BadRequest, "id: '{0}' is not a valid DNS domain name (at least two labels of letters, digits and inner hyphens, 63 characters each, 253 in all).");
    public static readonly TesseraError DomainTaken = new("TSR3036", BadRequest, "id: the domain '{0}' is already registered.");

    // Service principals and app role assignments.
    public static readonly TesseraError ServicePrincipalPropertyReadOnly = new("TSR3037", BadRequest, "'{0}' cannot be changed on a service principal: only accountEnabled and appRoleAssignmentRequired can. The rest comes from the application registration; change it with PATCH /admin/v1/applications/{{id}}.");
    public static readonly TesseraError AdminApiCannotBeDisabled = new("TSR3038", BadRequest, "accountEnabled: the admin API's own service principal cannot be disabled; every admin token is issued for it, so nobody could manage the tenant afterwards.");
    public static readonly TesseraError OwnServicePrincipalCannotBeDisabled = new("TSR3039", BadRequest, "accountEnabled: '{0}' is the application you are calling with; disabling it would end your own access. Make this change from another application, or as a person signed in through another client.");
    public static readonly TesseraError AssignmentResourceMismatch = new("TSR3040", BadRequest, "resourceId: '{0}' must be the id of the service principal in the URL ('{1}'); an app role assignment is created on the API it grants access to.");
    public static readonly TesseraError AssignmentPrincipalUnknown = new("TSR3041", BadRequest, "principalId: '{0}' is neither a user nor a service principal of this tenant. Use a user's id, or an application's appId (which is its service principal's id).");
    public static readonly TesseraError AppRoleUnknown = new("TSR3042", BadRequest, "appRoleId: '{0}' is not an app role of '{1}'. GET /admin/v1/servicePrincipals/{2} lists its appRoles; the default access id 00000000-0000-0000-0000-000000000000 is accepted only when it declares none.");
    public static readonly TesseraError AppRoleDisabled = new("TSR3043", BadRequest, "appRoleId: the app role '{0}' of '{1}' is disabled. Enable it on the application (appRoles[].isEnabled, PATCH /admin/v1/applications/{{id}}) before assigning it.");
    public static readonly TesseraError AppRoleMemberTypeMismatch = new("TSR3044", BadRequest, "appRoleId: the app role '{0}' can be assigned to {1} only, not to a {2}. Pick a role whose allowedMemberTypes include '{3}'.");
    public static readonly TesseraError AppRoleAlreadyAssigned = new("TSR3045", "Request_Conflict", "The principal already holds this app role (appRoleAssignment '{0}'); nothing was changed.");
    public static readonly TesseraError AdminPermissionNotHeld = new("TSR3046", "Authorization_RequestDenied", "appRoleId: '{0}' is an admin API permission you do not hold yourself. A caller may grant or remove only admin API permissions it has, so that AppRoleAssignment.ReadWrite.All never becomes more; ask a holder of '{0}' (or of Directory.ReadWrite.All).");
    public static readonly TesseraError AdminApiAssignmentRequired = new("TSR3047", BadRequest, "appRoleAssignmentRequired: the admin API cannot require assignment; people reach it through their admin roles, not app role assignments, so it would shut every person out. Limit who administers with admin roles instead.");
}
