namespace Tessera.Directory.Applications;

/// <summary>
/// An application registration (Microsoft Graph's <c>application</c>). Its <see cref="AppId"/> is the OAuth client id;
/// the protocol side (redirect URIs, client type, permissions) is kept in OpenIddict's application row with that client id.
/// </summary>
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

    /// <summary>Identifier URIs of an API (<c>api://{appId}</c>, ...): how scopes name this application as a resource.</summary>
    public List<string> IdentifierUris { get; set; } = [];
    public List<PermissionScope> Oauth2PermissionScopes { get; set; } = [];
    public List<AppRole> AppRoles { get; set; } = [];
    public List<PasswordCredential> PasswordCredentials { get; set; } = [];
    public List<KeyCredential> KeyCredentials { get; set; } = [];
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>Changes on every write; the admin API's ETag.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

public static class SignInAudiences
{
    public const string SingleTenant = "AzureADMyOrg";
    public const string MultiTenant = "AzureADMultipleOrgs";
}
