using Tessera.Policy.Errors;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>
/// TSR4100–TSR4199: the admin API refused a Conditional Access policy, named location, authentication context or
/// "what if" sign-in. Each names the property and the rule it breaks; what Tessera cannot enforce is refused, never
/// silently ignored, so that a policy never looks stricter than it is.
/// </summary>
public static class ConditionalAccessErrors
{
    private const string BadRequest = "Request_BadRequest";
    private const string Conflict = "Request_Conflict";

    public static readonly TesseraError Shape = new("TSR4100", BadRequest, "{0} must be {1}.");
    public static readonly TesseraError PropertyUnknown = new("TSR4101", BadRequest, "'{0}' is not a property Tessera knows on {1}; remove it (Graph's v1.0 names are case-sensitive).");
    public static readonly TesseraError DisplayNameRequired = new("TSR4102", BadRequest, "displayName is required: 1 to 256 characters that say what the policy does (e.g. 'Require MFA for administrators').");
    public static readonly TesseraError StateUnknown = new("TSR4103", BadRequest, "state: '{0}' must be enabled, disabled or enabledForReportingButNotEnforced (report-only: evaluated and logged, never enforced).");
    public static readonly TesseraError ConditionRequired = new("TSR4104", BadRequest, "conditions.{0} is required: a policy names whom it is about (users) and what they sign in to (applications).");
    public static readonly TesseraError UsersNotIncluded = new("TSR4105", BadRequest, "conditions.users: include at least one user, group or role (includeUsers ['All'] for everyone, or ['None'] to include nobody).");
    public static readonly TesseraError UserValueInvalid = new("TSR4106", BadRequest, "conditions.users.{0}: '{1}' must be a user's object id (a GUID), or in includeUsers All or None; guests and external users are not a notion Tessera has.");
    public static readonly TesseraError ApplicationsNotIncluded = new("TSR4107", BadRequest, "conditions.applications: include applications (includeApplications ['All'], or app ids) or authentication contexts (includeAuthenticationContextClassReferences), not both and not neither.");
    public static readonly TesseraError ApplicationValueInvalid = new("TSR4108", BadRequest, "conditions.applications.{0}: '{1}' must be an application's app id (a GUID), or in includeApplications All or None; Microsoft's application groups (Office365, MicrosoftAdminPortals) do not exist in Tessera.");
    public static readonly TesseraError AuthenticationContextInvalid = new("TSR4109", BadRequest, "{0}: '{1}' is not an authentication context id; use c1 to c99.");
    public static readonly TesseraError ClientAppTypeUnknown = new("TSR4110", BadRequest, "conditions.clientAppTypes: '{0}' must be all, browser, mobileAppsAndDesktopClients or other.");
    public static readonly TesseraError ClientAppTypeUnseen = new("TSR4111", BadRequest, "conditions.clientAppTypes: Tessera has no Exchange ActiveSync endpoint, so an exchangeActiveSync client never signs in here and the condition could never hold. Remove it; 'other' covers every client that is neither a browser nor a mobile or desktop app.");
    public static readonly TesseraError LocationValueInvalid = new("TSR4112", BadRequest, "conditions.locations.{0}: '{1}' must be AllTrusted or the id of an IP named location (a GUID), or All in includeLocations; includeLocations may not be empty when excludeLocations is not.");
    public static readonly TesseraError RiskLevelUnknown = new("TSR4113", BadRequest, "conditions.{0}: '{1}' must be low, medium, high or none.");
    public static readonly TesseraError GrantOperatorUnknown = new("TSR4114", BadRequest, "grantControls.operator: '{0}' must be OR (any one control) or AND (every control).");
    public static readonly TesseraError BuiltInControlUnknown = new("TSR4115", BadRequest, "grantControls.builtInControls: '{0}' is not a control Tessera can enforce; use block or mfa, or an authenticationStrength. Tessera has no device compliance, approved-app or password-change signal, so it refuses such a control rather than pretend to enforce it.");
    public static readonly TesseraError BlockCombined = new("TSR4116", BadRequest, "grantControls: block cannot be combined with other grant controls; a blocked sign-in has nothing left to satisfy. Keep block alone, or drop it.");
    public static readonly TesseraError GrantEmpty = new("TSR4117", BadRequest, "grantControls: name at least one control (builtInControls block or mfa, or an authenticationStrength), or send grantControls: null.");
    public static readonly TesseraError AuthenticationStrengthUnknown = new("TSR4118", BadRequest, "grantControls.authenticationStrength.id: '{0}' is not an authentication strength Tessera knows; use {1} (MFA), {2} (passwordless MFA) or {3} (phishing-resistant MFA).");
    public static readonly TesseraError ConditionUnenforceable = new("TSR4119", BadRequest, "conditions.{0}: Tessera cannot evaluate this condition (it has no device, platform or insider-risk signal); remove it, or send null or an empty list.");
    public static readonly TesseraError ControlUnenforceable = new("TSR4120", BadRequest, "{0}: Tessera cannot enforce this control (terms of use, custom controls and session controls other than signInFrequency); remove it, or send null or an empty list.");
    public static readonly TesseraError SignInFrequencyInvalid = new("TSR4121", BadRequest, "sessionControls.signInFrequency: {0}");
    public static readonly TesseraError WorkloadGrant = new("TSR4122", BadRequest, "A policy for workload identities (conditions.clientApplications) can only block: applications signing in as themselves do no MFA and have no sign-in session. Use grantControls builtInControls ['block'] and no sessionControls.");
    public static readonly TesseraError WorkloadUsers = new("TSR4123", BadRequest, "A policy for workload identities (conditions.clientApplications) is about applications, not people: set conditions.users to includeUsers ['None'] and nothing else.");
    public static readonly TesseraError ServicePrincipalValueInvalid = new("TSR4124", BadRequest, "conditions.clientApplications.{0}: '{1}' must be a service principal's app id (a GUID), or ServicePrincipalsInMyTenant in includeServicePrincipals.");
    public static readonly TesseraError NoControls = new("TSR4125", BadRequest, "The policy has no grant control and no session control, so it would change nothing; add grantControls (block, mfa or an authenticationStrength) or sessionControls.signInFrequency.");
    public static readonly TesseraError ReferenceUnknown = new("TSR4126", BadRequest, "{0}: '{1}' is not {2} of this tenant.");
    public static readonly TesseraError CountryLocationUnsupported = new("TSR4127", BadRequest, "@odata.type: '{0}' is not supported; Tessera has no geolocation data, so only IP named locations (#microsoft.graph.ipNamedLocation) exist.");
    public static readonly TesseraError CidrInvalid = new("TSR4128", BadRequest, "ipRanges: '{0}' is not a network in CIDR notation with its host bits zero (such as 10.0.0.0/8 or 2001:db8::/32).");
    public static readonly TesseraError CidrFamily = new("TSR4129", BadRequest, "ipRanges: '{0}' is {1}, but its @odata.type says {2}; use #microsoft.graph.iPv4CidrRange for IPv4 and #microsoft.graph.iPv6CidrRange for IPv6.");
    public static readonly TesseraError IpRangesRequired = new("TSR4130", BadRequest, "ipRanges is required: 1 to 2000 ranges such as {\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"10.0.0.0/8\"}.");
    public static readonly TesseraError LocationDisplayNameRequired = new("TSR4131", BadRequest, "displayName is required: 1 to 256 characters that name the place (e.g. 'Head office').");
    public static readonly TesseraError LocationInUse = new("TSR4132", Conflict, "The named location '{0}' is used by the policy '{1}' ({2}); remove it from that policy (or delete the policy) first.");
    public static readonly TesseraError ContextInUse = new("TSR4133", Conflict, "The authentication context '{0}' is used by the policy '{1}' ({2}); remove it from that policy (or delete the policy) first, or mark the context isAvailable: false.");
    public static readonly TesseraError SelfLockout = new("TSR4134", Conflict, "This enabled policy would {0} your own current sign-in ({1}). Exclude yourself (or a group or role you hold), save it as enabledForReportingButNotEnforced first, or send it again with ?confirmSelfLockout=true if you mean it.");
    public static readonly TesseraError ContextDisplayNameRequired = new("TSR4135", BadRequest, "displayName is required: 1 to 256 characters that say what the context protects (e.g. 'Approve payments').");
    public static readonly TesseraError WhatIfSubjectRequired = new("TSR4136", BadRequest, "Name who signs in: userId (a user's object id or user principal name) or servicePrincipalId (an application's app id), one of them.");
    public static readonly TesseraError WhatIfIpInvalid = new("TSR4137", BadRequest, "ipAddress: '{0}' is not an IPv4 or IPv6 address.");
    public static readonly TesseraError AuthenticationMethodUnknown = new("TSR4138", BadRequest, "authenticationMethods: '{0}' is not an amr value Tessera issues; use pwd, mfa, otp, fido, hwk or swk.");
    public static readonly TesseraError ReadOnlyProperty = new("TSR4139", BadRequest, "'{0}' cannot be set by the caller; leave it out, or send back the value the server gave.");
    public static readonly TesseraError LocationPropertyUnknown = new("TSR4140", BadRequest, "'{0}' is not a property of ipNamedLocation that can be set; send only displayName, isTrusted and ipRanges.");
    public static readonly TesseraError ContextPropertyUnknown = new("TSR4141", BadRequest, "'{0}' is not a property of authenticationContextClassReference that can be set; send only displayName, description and isAvailable.");
    public static readonly TesseraError ContinuousAccessModeInvalid = new("TSR8022", BadRequest, "sessionControls.continuousAccessEvaluation.mode '{0}' is not supported; use 'strictEnforcement' (tokens work only from the locations the policy excludes) or 'disabled'.");
    public static readonly TesseraError StrictEnforcementWithoutLocations = new("TSR8023", BadRequest, "sessionControls.continuousAccessEvaluation strictEnforcement binds tokens to the locations the policy leaves out: give conditions.locations with excludeLocations (named location ids or AllTrusted), e.g. includeLocations ['All'] and excludeLocations ['<office location id>'].");
    public static readonly TesseraError TooMany = new("TSR4142", BadRequest, "{0} holds {1} values; at most {2} are allowed.");
}
