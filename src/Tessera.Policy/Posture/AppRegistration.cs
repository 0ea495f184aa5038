namespace Tessera.Policy.Posture;

/// <summary>
/// An application registration as the posture rules read it, whatever it came from: Microsoft Graph's
/// <c>application</c> (a Tessera tenant's admin API or an Entra ID export) or a Keycloak client.
/// Lists that the source did not include are null, so that a rule needing them says nothing rather than guessing.
/// </summary>
public sealed record AppRegistration
{
    public required string AppId { get; init; }
    public required string DisplayName { get; init; }

    /// <summary>Graph's <c>signInAudience</c>: <c>AzureADMyOrg</c>, <c>AzureADMultipleOrgs</c>, <c>AzureADandPersonalMicrosoftAccount</c>.</summary>
    public string SignInAudience { get; init; } = "AzureADMyOrg";
    public IReadOnlyList<string> WebRedirectUris { get; init; } = [];
    public IReadOnlyList<string> SpaRedirectUris { get; init; } = [];
    public IReadOnlyList<string> PublicClientRedirectUris { get; init; } = [];
    public bool ImplicitAccessTokens { get; init; }
    public bool ImplicitIdTokens { get; init; }

    /// <summary>The resource owner password grant is on (Keycloak's "direct access grants").</summary>
    public bool PasswordGrant { get; init; }
    public bool IsFallbackPublicClient { get; init; }
    public IReadOnlyList<AppCredential> Secrets { get; init; } = [];
    public IReadOnlyList<AppCredential> Certificates { get; init; } = [];
    public int FederatedCredentials { get; init; }

    /// <summary>The owners' display names or ids; null when the source did not list owners.</summary>
    public IReadOnlyList<string>? Owners { get; init; }
    public IReadOnlyList<PermissionRequest> RequiredResourceAccess { get; init; } = [];
    public IReadOnlyList<string> IdentifierUris { get; init; } = [];
    public IReadOnlyList<string> ExposedScopes { get; init; } = [];
    public IReadOnlyList<ExposedAppRole> AppRoles { get; init; } = [];

    /// <summary>Graph's <c>api.requestedAccessTokenVersion</c>; null is version 1.</summary>
    public int? RequestedAccessTokenVersion { get; init; }
    public string? VerifiedPublisherId { get; init; }

    /// <summary>When the registration was made; null when the source does not say.</summary>
    public DateTimeOffset? CreatedDateTime { get; init; }

    /// <summary>The application's service principal in the assessed tenant; null when the source did not include service principals.</summary>
    public ServicePrincipalFacts? ServicePrincipal { get; init; }

    /// <summary>
    /// Registered in another organisation: only its service principal here is known (a third-party app users or admins
    /// let in), so only the service principal's rules apply to it.
    /// </summary>
    public bool RegisteredElsewhere { get; init; }

    public bool IsMultitenant => SignInAudience is "AzureADMultipleOrgs" or "AzureADandPersonalMicrosoftAccount";
    public bool ExposesApi => ExposedScopes.Count > 0 || AppRoles.Count > 0;
    public IEnumerable<string> AllRedirectUris => WebRedirectUris.Concat(SpaRedirectUris).Concat(PublicClientRedirectUris);
}

/// <summary>
/// What the tenant's service principal of an application holds beyond the registration (Graph's <c>servicePrincipal</c>
/// and the <c>oauth2PermissionGrants</c> naming it as client).
/// </summary>
public sealed record ServicePrincipalFacts
{
    /// <summary>Graph's <c>accountEnabled</c>: false, and the application gets no tokens in the tenant.</summary>
    public bool AccountEnabled { get; init; } = true;

    /// <summary>The tenant the application is registered in.</summary>
    public string? AppOwnerOrganizationId { get; init; }

    /// <summary>Secrets and certificates on the service principal itself (not on the registration).</summary>
    public IReadOnlyList<AppCredential> Secrets { get; init; } = [];
    public IReadOnlyList<AppCredential> Certificates { get; init; } = [];

    /// <summary>The delegated permissions people granted the application for themselves (<c>consentType</c> <c>Principal</c>).</summary>
    public IReadOnlyList<UserConsent> UserConsents { get; init; } = [];
}

/// <summary>One person's consent: the API (by display name) and the scopes granted on it.</summary>
public sealed record UserConsent(string PrincipalId, string ResourceAppId, string ResourceDisplayName, IReadOnlyList<string> Scopes);

/// <summary>A client secret or certificate: its name and validity.</summary>
public sealed record AppCredential(string? DisplayName, DateTimeOffset? Start, DateTimeOffset? End);

/// <summary>A permission the registration requests from an API: <c>Scope</c> (delegated) or <c>Role</c> (application).</summary>
public sealed record PermissionRequest(string ResourceAppId, string Id, string Type)
{
    public bool IsApplication => Type == "Role";
}

/// <summary>An app role the registration's API offers, and to whom (<c>User</c>, <c>Application</c>).</summary>
public sealed record ExposedAppRole(string Value, IReadOnlyList<string> AllowedMemberTypes);
