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
    public static readonly TesseraError HomeServicePrincipalCannotBeDeleted = new("TSR3120", BadRequest, "'{0}' is registered in this tenant: its service principal is the registration's own face here and goes with it. Disable it (accountEnabled: false) or delete the application; only a multitenant application of another tenant can be removed this way.");
    public static readonly TesseraError AssignmentResourceMismatch = new("TSR3040", BadRequest, "resourceId: '{0}' must be the id of the service principal in the URL ('{1}'); an app role assignment is created on the API it grants access to.");
    public static readonly TesseraError AssignmentPrincipalUnknown = new("TSR3041", BadRequest, "principalId: '{0}' is not a user, a group or a service principal of this tenant. Use a user's or a group's id, or an application's appId (which is its service principal's id).");
    public static readonly TesseraError AppRoleUnknown = new("TSR3042", BadRequest, "appRoleId: '{0}' is not an app role of '{1}'. GET /admin/v1/servicePrincipals/{2} lists its appRoles; the default access id 00000000-0000-0000-0000-000000000000 is accepted only when it declares none.");
    public static readonly TesseraError AppRoleDisabled = new("TSR3043", BadRequest, "appRoleId: the app role '{0}' of '{1}' is disabled. Enable it on the application (appRoles[].isEnabled, PATCH /admin/v1/applications/{{id}}) before assigning it.");
    public static readonly TesseraError AppRoleMemberTypeMismatch = new("TSR3044", BadRequest, "appRoleId: the app role '{0}' can be assigned to {1} only, not to a {2}. Pick a role whose allowedMemberTypes include '{3}'.");
    public static readonly TesseraError AppRoleAlreadyAssigned = new("TSR3045", "Request_Conflict", "The principal already holds this app role (appRoleAssignment '{0}'); nothing was changed.");
    public static readonly TesseraError AdminPermissionNotHeld = new("TSR3046", "Authorization_RequestDenied", "appRoleId: '{0}' is an admin API permission you do not hold yourself. A caller may grant or remove only admin API permissions it has, so that AppRoleAssignment.ReadWrite.All never becomes more; ask a holder of '{0}' (or of Directory.ReadWrite.All).");
    public static readonly TesseraError AdminApiAssignmentRequired = new("TSR3047", BadRequest, "appRoleAssignmentRequired: the admin API cannot require assignment; people reach it through their admin roles, not app role assignments, so it would shut every person out. Limit who administers with admin roles instead.");

    // Federated identity credentials (TSR3050–TSR3064) and the default app management policy (TSR3065–TSR3069).
    public static readonly TesseraError FederatedNameRequired = new("TSR3050", BadRequest, "name is required: 3 to 120 letters, digits, '-' or '_' that say what the credential trusts (e.g. github-orders-main).");
    public static readonly TesseraError FederatedNameLength = new("TSR3051", BadRequest, "name: '{0}' has {1} characters; a federated identity credential's name has 3 to 120.");
    public static readonly TesseraError FederatedNameCharacters = new("TSR3052", BadRequest, "name: '{0}' may hold only letters, digits, '-' and '_'.");
    public static readonly TesseraError FederatedNameTaken = new("TSR3053", "Request_Conflict", "name: the application already has a federated identity credential named '{0}' (names are unique per application, ignoring case). Choose another name, or change that credential with PATCH.");
    public static readonly TesseraError FederatedNameImmutable = new("TSR3054", BadRequest, "name: a federated identity credential keeps the name it was created with ('{0}'). To rename it, create a credential with the new name and delete this one.");
    public static readonly TesseraError FederatedIssuerRequired = new("TSR3055", BadRequest, "issuer is required: the URL of the external identity provider, exactly as the 'iss' claim of its tokens (e.g. https://token.actions.githubusercontent.com).");
    public static readonly TesseraError FederatedIssuerNotAbsolute = new("TSR3056", BadRequest, "issuer: '{0}' is not an absolute URL; give the external identity provider's issuer exactly as the 'iss' claim of its tokens.");
    public static readonly TesseraError FederatedIssuerNotHttps = new("TSR3057", BadRequest, "issuer: '{0}' must use https; plain http is allowed only for loopback addresses (an identity provider on this machine).");
    public static readonly TesseraError FederatedIssuerQueryOrFragment = new("TSR3058", BadRequest, "issuer: '{0}' has a query or a fragment, which an issuer identifier never has (RFC 8414 §2); remove the part from '?' or '#'.");
    public static readonly TesseraError FederatedSubjectRequired = new("TSR3059", BadRequest, "subject is required: the 'sub' claim of the external tokens to trust, exactly (e.g. repo:contoso/orders:ref:refs/heads/main).");
    public static readonly TesseraError FederatedValueTooLong = new("TSR3060", BadRequest, "{0}: {1} characters is too long; at most {2} are allowed.");
    public static readonly TesseraError FederatedAudiencesNotOne = new("TSR3061", BadRequest, "audiences must hold exactly one non-empty value (it is the 'aud' the external tokens must carry); leave it out for the default api://AzureADTokenExchange.");
    public static readonly TesseraError FederatedCredentialLimit = new("TSR3062", BadRequest, "The application already has {0} federated identity credentials, the most one application may have. Delete one it no longer needs first.");
    public static readonly TesseraError FederatedIssuerSubjectTaken = new("TSR3063", "Request_Conflict", "The federated identity credential '{0}' of this application already trusts issuer '{1}' with subject '{2}'; an issuer and subject are trusted once per application. Change that credential instead.");
    public static readonly TesseraError FederatedPropertyUnknown = new("TSR3064", BadRequest, "'{0}' is not a property of federatedIdentityCredential that can be set; send only name, issuer, subject, audiences and description.");
    public static readonly TesseraError AppPolicyRestrictionUnsupported = new("TSR3065", BadRequest, "applicationRestrictions.passwordCredentials: restrictionType '{0}' is not supported; passwordLifetime (the longest lifetime of a client secret) and passwordAddition (no new client secrets) are.");
    public static readonly TesseraError AppPolicyMaxLifetimeInvalid = new("TSR3066", BadRequest, "maxLifetime: '{0}' must be an ISO 8601 duration in whole days from P1D to P730D (two years), such as P180D.");
    public static readonly TesseraError AppPolicyPropertyUnsupported = new("TSR3067", BadRequest, "'{0}' cannot be changed on the default app management policy; only applicationRestrictions.passwordCredentials (restrictionType passwordLifetime with maxLifetime, and passwordAddition) can.");
    public static readonly TesseraError AppPolicyCannotBeDisabled = new("TSR3068", BadRequest, "isEnabled: the default app management policy cannot be turned off; every client secret has a capped lifetime. Raise maxLifetime (at most P730D) instead.");
    public static readonly TesseraError AppPolicyPasswordRestrictionsShape = new("TSR3069", BadRequest, "applicationRestrictions.passwordCredentials must be an array holding one passwordLifetime restriction (restrictionType passwordLifetime and maxLifetime, an ISO 8601 duration in days such as P180D) and, to forbid new client secrets, one {\"restrictionType\": \"passwordAddition\"}.");

    // Consent settings: the authorization policy, permission classifications, verified publishers, and the permissions
    // and group claims an application declares (TSR3070–TSR3089).
    public static readonly TesseraError UserConsentPolicyUnknown = new("TSR3070", BadRequest, "defaultUserRolePermissions.permissionGrantPoliciesAssigned: '{0}' is not a user consent policy of this server. Assign one of {1}, or none (an empty array: users may not consent, administrators grant every permission).");
    public static readonly TesseraError UserConsentPolicyTooMany = new("TSR3071", BadRequest, "defaultUserRolePermissions.permissionGrantPoliciesAssigned: {0} policies were assigned; assign at most one of {1} (an empty array: users may not consent).");
    public static readonly TesseraError AuthorizationPolicyPropertyUnsupported = new("TSR3072", BadRequest, "'{0}' cannot be changed on the authorization policy; only defaultUserRolePermissions.permissionGrantPoliciesAssigned (what users may consent to) can.");
    public static readonly TesseraError ClassificationUnknown = new("TSR3073", BadRequest, "classification: '{0}' is not a classification; use low, medium or high (users may consent only to permissions rated low under the default consent policy).");
    public static readonly TesseraError ClassificationPermissionRequired = new("TSR3074", BadRequest, "Name the delegated permission to classify: send permissionId (its id) or permissionName (its value, such as Orders.Read).");
    public static readonly TesseraError ClassificationPermissionUnknown = new("TSR3075", BadRequest, "'{0}' is not a delegated permission (oauth2PermissionScopes) of '{1}'. GET /admin/v1/servicePrincipals/{2} lists them.");
    public static readonly TesseraError ClassificationPermissionMismatch = new("TSR3076", BadRequest, "permissionId '{0}' and permissionName '{1}' name different delegated permissions of '{2}'; send one of them, or both for the same permission.");
    public static readonly TesseraError ClassificationExists = new("TSR3077", "Request_Conflict", "'{0}' of '{1}' is already classified '{2}' (delegatedPermissionClassification '{3}'); a permission has one classification. Delete it first to change the rating.");
    public static readonly TesseraError PublisherIdInvalid = new("TSR3078", BadRequest, "verifiedPublisherId is required: the publisher's id you vouch for (in Entra ID its partner network id), 1 to {0} visible characters.");
    public static readonly TesseraError PublisherNameInvalid = new("TSR3079", BadRequest, "displayName: the publisher's name must be 1 to {0} visible characters; leave it out to use the tenant's name.");
    public static readonly TesseraError RequiredResourceUnknown = new("TSR3080", BadRequest, "requiredResourceAccess: resourceAppId '{0}' is not the app id of an application of this tenant; an application can only declare permissions of the tenant's own APIs (GET /admin/v1/servicePrincipals lists them).");
    public static readonly TesseraError RequiredScopeUnknown = new("TSR3081", BadRequest, "requiredResourceAccess: '{0}' (type Scope) is not a delegated permission (oauth2PermissionScopes) of '{1}'. GET /admin/v1/servicePrincipals/{2} lists its scopes and app roles.");
    public static readonly TesseraError RequiredRoleUnknown = new("TSR3082", BadRequest, "requiredResourceAccess: '{0}' (type Role) is not an app role of '{1}' that applications can hold (its allowedMemberTypes must include Application). GET /admin/v1/servicePrincipals/{2} lists its scopes and app roles.");
    public static readonly TesseraError ResourceAccessTypeUnknown = new("TSR3083", BadRequest, "requiredResourceAccess: type '{0}' of '{1}' must be Scope (a delegated permission) or Role (an application permission).");
    public static readonly TesseraError RequiredResourceAccessDuplicate = new("TSR3084", BadRequest, "requiredResourceAccess: {0} is listed twice; list each API once, and each of its permissions once.");
    public static readonly TesseraError RequiredResourceAccessTooMany = new("TSR3085", BadRequest, "requiredResourceAccess: {0} APIs with {1} permissions is too many; an application may list at most {2} APIs and {3} permissions in all.");
    public static readonly TesseraError GroupMembershipClaimsUnknown = new("TSR3086", BadRequest, "groupMembershipClaims: '{0}' is not supported; use None (the default, also null), SecurityGroup or All (Tessera's groups are all security groups).");
    public static readonly TesseraError RequiredResourceAccessShape = new("TSR3087", BadRequest, "requiredResourceAccess must be an array of objects with resourceAppId (a GUID) and resourceAccess (an array of objects with id, a GUID, and type, Scope or Role), as Microsoft Graph has it.");

    // Delegated permission grants (oAuth2PermissionGrants) and admin consent requests (TSR3090–TSR3109).
    public static readonly TesseraError GrantScopeRequired = new("TSR3090", BadRequest, "scope is required: the delegated permissions to grant, space-separated (such as 'Orders.Read Orders.ReadWrite'). To take every permission back, delete the grant instead.");
    public static readonly TesseraError GrantScopeNotExposed = new("TSR3091", BadRequest, "scope: '{0}' is not an enabled delegated permission (oauth2PermissionScopes) of '{1}'. GET /admin/v1/servicePrincipals/{2} lists them.");
    public static readonly TesseraError GrantScopeTooLong = new("TSR3092", BadRequest, "scope: a grant holds at most {0} permissions in {1} characters; this one has {2} in {3}.");
    public static readonly TesseraError GrantClientUnknown = new("TSR3093", BadRequest, "clientId: '{0}' is not the id of a service principal of this tenant (the client application's app id). GET /admin/v1/servicePrincipals lists them.");
    public static readonly TesseraError GrantResourceUnknown = new("TSR3094", BadRequest, "resourceId: '{0}' is not the id of a service principal of this tenant (the API's app id). GET /admin/v1/servicePrincipals lists them.");
    public static readonly TesseraError GrantConsentTypeUnknown = new("TSR3095", BadRequest, "consentType: '{0}' must be AllPrincipals (admin consent for every user of the tenant) or Principal (for the one user named by principalId).");
    public static readonly TesseraError GrantPrincipalRequired = new("TSR3096", BadRequest, "principalId is required when consentType is Principal: the id of the user the grant is for.");
    public static readonly TesseraError GrantPrincipalNotAllowed = new("TSR3097", BadRequest, "principalId must be null or left out when consentType is AllPrincipals: such a grant is for every user of the tenant.");
    public static readonly TesseraError GrantPrincipalUnknown = new("TSR3098", BadRequest, "principalId: '{0}' is not the id of a user of this tenant.");
    public static readonly TesseraError GrantExists = new("TSR3099", "Request_Conflict", "A delegated permission grant of this client on this API for {0} already exists (oAuth2PermissionGrant '{1}'); there is one per client, API and user. Change its scope with PATCH /admin/v1/oauth2PermissionGrants/{1}.");
    public static readonly TesseraError GrantAdminPermissionNotHeld = new("TSR3100", "Authorization_RequestDenied", "scope: '{0}' is an admin API permission you do not hold yourself. A caller may grant or take back only admin API permissions it has, so that DelegatedPermissionGrant.ReadWrite.All never becomes more; ask a holder of '{0}' (or of Directory.ReadWrite.All).");
    public static readonly TesseraError GrantPropertyReadOnly = new("TSR3101", BadRequest, "'{0}' cannot be changed on a delegated permission grant; only scope can. For another client, API, user or consent type, delete the grant and create a new one.");
    public static readonly TesseraError ConsentRequestDecided = new("TSR3102", "Request_Conflict", "The consent request '{0}' is already {1} (since {2}); only a request that is InProgress can be approved or denied. The user can ask again from the consent page.");
    public static readonly TesseraError ConsentRequestScopeGone = new("TSR3103", BadRequest, "The consent request asks for '{0}', which '{1}' no longer exposes as an enabled delegated permission, so it cannot be approved as it is. Deny it; the user can ask again.");
    public static readonly TesseraError ConsentRequestClientGone = new("TSR3104", BadRequest, "The consent request's application or API ('{0}') is no longer registered in this tenant, so it cannot be approved. Deny it.");
}
