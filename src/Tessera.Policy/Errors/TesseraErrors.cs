namespace Tessera.Policy.Errors;

/// <summary>
/// The catalogue of Tessera's numbered errors. TSR0xxx: configuration; TSR2xxx: protocol descriptions.
/// A code never changes meaning once shipped; tests assert codes, not sentences.
/// </summary>
public static class TesseraErrors
{
    // Configuration (TSR0xxx)
    // TSR08xx, TSR28xx and TSR68xx are taken by the API SDK (src/Tessera.AspNetCore/Diagnostics), which depends on nothing here.
    public static readonly TesseraError StorageProviderUnknown = new("TSR0001", "configuration_error",
        "The storage provider '{0}' is not known. Set Tessera:Storage:Provider to 'Sqlite' or 'Postgres'.");
    public static readonly TesseraError PostgresConnectionStringMissing = new("TSR0002", "configuration_error",
        "Tessera:Storage:Provider is 'Postgres' but Tessera:Storage:ConnectionString is empty. Give the Npgsql connection string.");
    public static readonly TesseraError MasterKeyInvalid = new("TSR0003", "configuration_error",
        "The master key at '{0}' is not 32 bytes of base64. Restore the original file, or start on a new data folder.");

    public static readonly TesseraError AddressInUse = new("TSR0004", "configuration_error",
        "Another program is already listening on {0}. Stop it, or start Tessera elsewhere with --urls http://127.0.0.1:<port>.");

    // Protocol (TSR2xxx)
    public static readonly TesseraError ImplicitFlowUnsupported = new("TSR2001", "unsupported_response_type",
        "The implicit flow is not supported because it exposes tokens in the browser's address bar and history. Use response_type=code with PKCE (S256).");
    public static readonly TesseraError PasswordGrantUnsupported = new("TSR2002", "unsupported_grant_type",
        "The password grant is not supported because it hands the user's password to the client and cannot do MFA. Use the authorization code flow with PKCE, or the device code flow for devices without a browser.");
    public static readonly TesseraError TenantUnknown = new("TSR2003", "invalid_request",
        "The tenant '{0}' does not exist. Use the tenant id (a GUID) or one of the tenant's domain names in the path.");
    public static readonly TesseraError ClientNotInTenant = new("TSR2004", "invalid_client",
        "The client is not registered in this tenant. Use the tenant the application was registered in.");
    public static readonly TesseraError PkceRequired = new("TSR2005", "invalid_request",
        "PKCE is required for every client. Send code_challenge with code_challenge_method=S256.");
    public static readonly TesseraError PkcePlainUnsupported = new("TSR2006", "invalid_request",
        "The 'plain' PKCE method is not supported. Send code_challenge_method=S256 with a SHA-256 challenge.");
    public static readonly TesseraError HttpsRequired = new("TSR2007", "invalid_request",
        "This server accepts plain HTTP only on loopback. Use HTTPS.");
    public static readonly TesseraError ResourceUnknown = new("TSR2009", "invalid_scope",
        "The scope '{0}' names no API registered in this tenant. Use the API's identifier URI or application id followed by a scope name or '/.default'.");
    public static readonly TesseraError SeveralResources = new("TSR2010", "invalid_scope",
        "The requested scopes name more than one API ({0}). A token has exactly one audience: request scopes for one API at a time.");
    public static readonly TesseraError DefaultScopeMixed = new("TSR2011", "invalid_scope",
        "'/.default' cannot be combined with other scopes of the same API. Request either '{0}/.default' or individual scopes.");
    public static readonly TesseraError ClientCredentialsNeedDefault = new("TSR2012", "invalid_scope",
        "The client credentials grant takes exactly one scope of the form '<resource>/.default'.");
    public static readonly TesseraError ScopeNotExposed = new("TSR2013", "invalid_scope",
        "The API '{0}' exposes no delegated scope named '{1}'.");
    public static readonly TesseraError ConsentDenied = new("TSR2015", "access_denied",
        "The user declined to grant the requested permissions.");
    public static readonly TesseraError LoginRequired = new("TSR2016", "login_required",
        "prompt=none was sent but the user is not signed in. Send the user to sign in interactively.");
    public static readonly TesseraError ConsentRequired = new("TSR2017", "consent_required",
        "prompt=none was sent but the user has not consented to the requested permissions.");
    public static readonly TesseraError UserDisabled = new("TSR2018", "invalid_grant",
        "The user account is disabled or no longer exists. Sign in again with an active account.");
    public static readonly TesseraError RequestTooLarge = new("TSR2019", "invalid_request",
        "The request is larger than this endpoint accepts ({0} bytes at most).");
    public static readonly TesseraError NotFound = new("TSR2020", "not_found",
        "There is nothing at this address. The protocol endpoints are listed in /<tenant>/v2.0/.well-known/openid-configuration.");
    public static readonly TesseraError InternalError = new("TSR2021", "server_error",
        "The server could not complete the request. Nothing was changed; retry, and quote the trace id if it happens again.");
    public static readonly TesseraError IntrospectionNeedsConfidentialClient = new("TSR2022", "invalid_client",
        "Only confidential clients may call the introspection endpoint. Authenticate with a client secret or a certificate.");
    public static readonly TesseraError BodyUnreadable = new("TSR2024", "invalid_request",
        "The request could not be read ({0}). Send a well-formed application/x-www-form-urlencoded body.");
    public static readonly TesseraError FormMalformed = new("TSR2025", "invalid_request",
        "The request body is malformed or exceeds a form limit (64 fields of 16 KB at most).");
    public static readonly TesseraError InvalidPrompt = new("TSR2023", "invalid_request",
        "The prompt value '{0}' is not supported. Use none, login, consent or select_account.");
    public static readonly TesseraError HostInvalid = new("TSR2026", "invalid_request",
        "The Host header is not a valid host name and port. Send the host name the server is reached at.");
    public static readonly TesseraError FormNotVerified = new("TSR2027", "invalid_request",
        "The form could not be read or verified: it is malformed, too large, or was not sent from this site's own page. Reload the page and submit it again.");

    // Service principals: an application's standing in its tenant (see Tessera.Policy.ServicePrincipals).
    public static readonly TesseraError ApplicationDisabled = new("TSR2028", "invalid_client",
        "The application '{0}' is disabled in this tenant (its service principal's accountEnabled is false), so it gets no codes or tokens. An administrator can enable it again: PATCH /admin/v1/servicePrincipals/{0} with accountEnabled true.");
    public static readonly TesseraError ResourceDisabled = new("TSR2029", "invalid_scope",
        "The API '{0}' is disabled in this tenant (its service principal's accountEnabled is false), so no token can be issued for it. Ask an administrator to enable it, or request a token for another API.");
    public static readonly TesseraError ApplicationNotAssigned = new("TSR2030", "invalid_grant",
        "The API '{0}' admits only applications that hold one of its app roles (appRoleAssignmentRequired), and this application holds none. An administrator grants one with POST /admin/v1/servicePrincipals/{1}/appRoleAssignedTo.");
    public static readonly TesseraError UserNotAssigned = new("TSR2031", "access_denied",
        "The user is not assigned to '{0}', which admits only assigned users (appRoleAssignmentRequired). Ask an administrator to assign you, or a group you are a member of: POST /admin/v1/servicePrincipals/{1}/appRoleAssignedTo.");
    public static readonly TesseraError AssertionLifetime = new("TSR2032", "invalid_client",
        "The client assertion must carry a jti and expire within 10 minutes of its use. Sign a short-lived assertion for every request.");
    public static readonly TesseraError AssertionReplayed = new("TSR2033", "invalid_client",
        "This client assertion was already used. Sign a new one, with a fresh jti, for every request.");
    public static readonly TesseraError IdTokenHintInvalid = new("TSR2034", "invalid_request",
        "The id_token_hint is not an ID token this tenant issued (bad signature, issuer or format). Send the ID token you received, or leave the hint out.");
    public static readonly TesseraError ConsentRevoked = new("TSR2035", "invalid_grant",
        "The user's consent for this application was revoked, so this grant no longer holds. Send the user to sign in again.");
    public static readonly TesseraError NulCharacter = new("TSR2036", "invalid_request",
        "The request contains a NUL character (%00), which no parameter may hold. Remove it and send the request again.");

    public static readonly TesseraError ConsentNeedsAdmin = new("TSR2037", "access_denied",
        "You may not grant these permissions yourself. {0} Ask an administrator to approve the application.");

    public static readonly TesseraError ConsentAwaitingAdmin = new("TSR2038", "access_denied",
        "The permissions this application asks for need an administrator's approval; the request has been sent. Sign in again once it is approved.");

    public static readonly TesseraError AdminConsentRedirectUri = new("TSR2039", "invalid_request",
        "The redirect_uri '{0}' is not registered for the application. Admin consent returns only to a registered redirect URI.");

    public static readonly TesseraError AdminConsentNotAdministrator = new("TSR2040", "access_denied",
        "Only an administrator who may grant consent for the organisation (Global, Privileged Role, Application or Cloud Application Administrator; for application permissions, one who may assign app roles) can give admin consent. Sign in as one, or ask one.");

    public static readonly TesseraError AdminConsentNothingToGrant = new("TSR2041", "invalid_request",
        "The application declares no permissions (requiredResourceAccess) and the request names none. Pass scope, e.g. 'api://orders/.default', or declare the permissions on the application.");

    public static readonly TesseraError ApplicationNotInTenant = new("TSR2042", "unauthorized_client",
        "The multitenant application '{0}' has not been added to this tenant. An administrator of this tenant must consent to it first (admin consent), or a user must sign in to it and consent.");

    // Delegation: an API exchanging the user's token it received for a token to a downstream API (on-behalf-of, RFC 8693).
    // {0} is the parameter that carries the user's token: 'assertion' (on-behalf-of) or 'subject_token' (token exchange).
    public static readonly TesseraError OnBehalfOfOnly = new("TSR2050", "invalid_request",
        "The jwt-bearer grant is accepted here only for on-behalf-of: send requested_token_use=on_behalf_of, the user's access token in 'assertion' and the downstream API's scopes in 'scope'.");
    public static readonly TesseraError UserTokenMissing = new("TSR2051", "invalid_request",
        "The request has no '{0}'. Send in it the access token that the calling client presented to your API, unchanged.");
    public static readonly TesseraError DownstreamApiMissing = new("TSR2052", "invalid_request",
        "The request names no downstream API. Send scope '<API>/.default' or some of the API's scopes (token exchange also takes resource or audience), e.g. 'api://orders/.default'.");
    public static readonly TesseraError SubjectTokenTypeUnsupported = new("TSR2053", "invalid_request",
        "The subject_token_type '{0}' is not accepted: only an access token issued by this tenant can be exchanged (urn:ietf:params:oauth:token-type:access_token). ID tokens and refresh tokens stay with the client they were issued to.");
    public static readonly TesseraError ActorTokenUnsupported = new("TSR2054", "invalid_request",
        "actor_token is not supported: the token issued acts for the user, with your API as its authorized party (azp). Leave actor_token and actor_token_type out.");
    public static readonly TesseraError RequestedTokenTypeUnsupported = new("TSR2055", "invalid_request",
        "The requested_token_type '{0}' is not supported. Ask for an access token (urn:ietf:params:oauth:token-type:access_token), or leave the parameter out.");
    public static readonly TesseraError ExchangeTargetConflict = new("TSR2056", "invalid_target",
        "resource, audience and scope name different APIs ({0}). A token has exactly one audience: name one downstream API, and exchange once per API.");
    public static readonly TesseraError DelegationNeedsConfidentialClient = new("TSR2057", "invalid_client",
        "Only a confidential client may exchange a user's token: authenticate your API with its client secret or certificate (private_key_jwt). A public client sends the user's token to its API, which exchanges it.");
    public static readonly TesseraError UserTokenInvalid = new("TSR2058", "invalid_grant",
        "The {0} is not an access token issued by this tenant: its signature, issuer, type or format is wrong (ID tokens and refresh tokens are refused). Send the access token your API received, unchanged, to the tenant that issued it.");
    public static readonly TesseraError UserTokenExpired = new("TSR2059", "invalid_grant",
        "The {0} has expired. The calling client must get a new access token for your API (refresh, or sign the user in again) and call your API again.");
    public static readonly TesseraError UserTokenForAnotherClient = new("TSR2060", "invalid_grant",
        "The {0} was issued to '{1}', not to this client ('{2}'): an API can only exchange the tokens issued to it. The calling client must request its token for your API (scope '{{your API}}/...'), and your API must authenticate as itself.");
    public static readonly TesseraError UserTokenAppOnly = new("TSR2061", "invalid_grant",
        "The {0} is an application's own token (client credentials, no user in it), so there is nobody to act for. To call the downstream API as an application, use the client credentials grant instead.");
    public static readonly TesseraError UserTokenSessionEnded = new("TSR2062", "invalid_grant",
        "The {0} comes from a sign-in that has since been ended (the user's sessions were revoked, or the consent it rested on was withdrawn). The user must sign in to the calling client again.");
    public static readonly TesseraError DelegationConsentRequired = new("TSR2063", "invalid_grant",
        "'{0}' holds none of the requested permissions ({1}) on '{2}' for this user. An administrator grants them to '{0}' for everyone (tessera grant add \"{0}\" {3} <scopes>), or the user consents by signing in to '{0}' with those scopes; then call again.")
    {
        SubError = "consent_required",
    };

    // Conditional Access where tokens are issued (TSR2070-TSR2079).
    public static readonly TesseraError ConditionalAccessBlocked = new("TSR2070", "access_denied",
        "Access has been blocked by Conditional Access policies: {0}. Ask your administrator which conditions (location, application, client) the policy names; the sign-in log shows each policy's result.");
    public static readonly TesseraError ConditionalAccessInteractionRequired = new("TSR2071", "interaction_required",
        "Conditional Access requires {0} ({1}), and prompt=none forbids asking the user. Send the user to sign in interactively.");
    public static readonly TesseraError ConditionalAccessBlockedAtRefresh = new("TSR2072", "invalid_grant",
        "Access has been blocked by Conditional Access policies: {0}. The refresh token can no longer be used; the user must sign in again where the policies allow it.");
    public static readonly TesseraError ConditionalAccessRequiredAtRefresh = new("TSR2073", "invalid_grant",
        "Conditional Access now requires {0} ({1}). Send the user to sign in interactively, passing the 'claims' of this response to the authorization request.")
    {
        SubError = "basic_action",
    };
    public static readonly TesseraError ConditionalAccessBlockedWorkload = new("TSR2074", "access_denied",
        "Access has been blocked by Conditional Access policies for workload identities: {0}. The application may get tokens only where the policies allow it (for example from its named locations).");
    public static readonly TesseraError ConditionalAccessBlockedOnBehalfOf = new("TSR2075", "invalid_grant",
        "Conditional Access policies block the user's access to '{0}': {1}. The calling API cannot get a token for it on the user's behalf; the sign-in log shows each policy's result.");
    public static readonly TesseraError ConditionalAccessRequiredOnBehalfOf = new("TSR2076", "invalid_grant",
        "Conditional Access requires {0} ({1}) for '{2}', which the user's token does not show. The calling API must pass this response's 'claims' back to its client (a 401 with a claims challenge), so that the user signs in again with them.")
    {
        SubError = "basic_action",
    };
}
