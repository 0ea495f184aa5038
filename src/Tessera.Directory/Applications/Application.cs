namespace Tessera.Directory.Applications;

/// <summary>
/// An application registration (Microsoft Graph's <c>application</c>). Its <see cref="AppId"/> is the OAuth client id;
/// the protocol side (redirect URIs, client type, permissions) is kept in OpenIddict's application row with that client id.
/// </summary>
/// <remarks>
/// The registration is also its service principal (Graph's <c>servicePrincipal</c>). An application is used only in the
/// tenant it is registered in, so the tenant-local face that Entra ID keeps as a separate object exists exactly once
/// per application here, and its object id IS the <see cref="AppId"/>. That is why an <see cref="AppRoleAssignment"/>'s
/// principal id for an application, the <c>oid</c> of an app-only token and an assignment's <c>resourceId</c> are all
/// app ids. The service principal's own state is <see cref="ServicePrincipalEnabled"/> and
/// <see cref="AppRoleAssignmentRequired"/>; everything else it shows is read from the registration.
/// </remarks>
public sealed class Application
{
    /// <summary>The object id.</summary>
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The application (client) id.</summary>
    public Guid AppId { get; set; }
    public required string DisplayName { get; set; }

    /// <summary><c>AzureADMyOrg</c> (single tenant, the default) or <c>AzureADMultipleOrgs</c>.</summary>
    public string SignInAudience { get; set; } = SignInAudiences.SingleTenant;
    public bool IsFallbackPublicClient { get; set; }

    /// <summary>Redirect URIs of a server-side web app (Graph's <c>web.redirectUris</c>): a confidential client.</summary>
    public List<string> WebRedirectUris { get; set; } = [];

    /// <summary>Redirect URIs of a single-page app (Graph's <c>spa.redirectUris</c>): a public client.</summary>
    public List<string> SpaRedirectUris { get; set; } = [];

    /// <summary>Redirect URIs of a native app (Graph's <c>publicClient.redirectUris</c>): a public client, loopback ports free.</summary>
    public List<string> PublicClientRedirectUris { get; set; } = [];

    /// <summary>Where the app may send people after sign-out (a Tessera addition; Graph has no such list).</summary>
    public List<string> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>Identifier URIs of an API (<c>api://{appId}</c>, ...): how scopes name this application as a resource.</summary>
    public List<string> IdentifierUris { get; set; } = [];
    public List<PermissionScope> Oauth2PermissionScopes { get; set; } = [];
    public List<AppRole> AppRoles { get; set; } = [];
    public List<PasswordCredential> PasswordCredentials { get; set; } = [];
    public List<KeyCredential> KeyCredentials { get; set; } = [];
    public List<FederatedIdentityCredential> FederatedIdentityCredentials { get; set; } = [];

    /// <summary>The permissions the application needs on other APIs: what <c>/.default</c> and admin consent grant.</summary>
    public List<RequiredResourceAccess> RequiredResourceAccess { get; set; } = [];

    /// <summary>Which groups a user's tokens for this application name: <c>None</c> (the default), <c>SecurityGroup</c> or <c>All</c>.</summary>
    public string GroupMembershipClaims { get; set; } = "None";

    /// <summary>The publisher, as an administrator verified it; null while unverified.</summary>
    public VerifiedPublisher? VerifiedPublisher { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>
    /// The service principal's <c>accountEnabled</c>: when false the application gets no tokens as a client, and no
    /// token can be issued for it as an API. Existing rows were migrated to true.
    /// </summary>
    public bool ServicePrincipalEnabled { get; set; } = true;

    /// <summary>
    /// The service principal's <c>appRoleAssignmentRequired</c>: only users and applications holding an app role
    /// assignment to it may sign in to it or get tokens for it.
    /// </summary>
    public bool AppRoleAssignmentRequired { get; set; }

    /// <summary>
    /// RFC 8705's <c>tls_client_certificate_bound_access_tokens</c> client metadata, a Tessera addition to Graph's shape: the
    /// client must present one of its certificates over mutual TLS at every token request, and its tokens are bound to it.
    /// </summary>
    public bool TlsClientCertificateBoundAccessTokens { get; set; }

    /// <summary>A public client proves nothing about itself: no secret, no certificate.</summary>
    public bool IsPublicClient => IsFallbackPublicClient || (WebRedirectUris.Count == 0 && (SpaRedirectUris.Count > 0 || PublicClientRedirectUris.Count > 0));

    /// <summary>Every redirect URI of every platform.</summary>
    public IEnumerable<string> AllRedirectUris => WebRedirectUris.Concat(SpaRedirectUris).Concat(PublicClientRedirectUris).Distinct(StringComparer.Ordinal);

    /// <summary>Changes on every write; the admin API's ETag.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

/// <summary>
/// Graph's <c>verifiedPublisher</c>. An administrator vouches for the publisher (a DNS or partner-network proof is out
/// of reach for a self-hosted, possibly offline server), and who did it and when is kept.
/// </summary>
public sealed class VerifiedPublisher
{
    public required string DisplayName { get; set; }
    public required string VerifiedPublisherId { get; set; }
    public DateTimeOffset AddedDateTime { get; set; }
    public Guid AddedById { get; set; }
}

public static class SignInAudiences
{
    public const string SingleTenant = "AzureADMyOrg";
    public const string MultiTenant = "AzureADMultipleOrgs";
}
