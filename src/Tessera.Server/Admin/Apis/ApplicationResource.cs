using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;

namespace Tessera.Server.Admin.Apis;

/// <summary>An application as the admin API shows it: Microsoft Graph's <c>application</c> resource.</summary>
public static class ApplicationResource
{
    /// <summary>The application, with <paramref name="publisherDomain"/> (see <see cref="PublisherDomainAsync"/>).</summary>
    public static object From(Application app, string? publisherDomain)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Dictionary<string, object?>
        {
            ["id"] = app.Id,
            ["appId"] = app.AppId,
            ["displayName"] = app.DisplayName,
            ["signInAudience"] = app.SignInAudience,
            ["createdDateTime"] = app.CreatedDateTime,
            ["publisherDomain"] = publisherDomain,
            ["verifiedPublisher"] = VerifiedPublisher(app),
            ["isFallbackPublicClient"] = app.IsFallbackPublicClient,
            ["identifierUris"] = app.IdentifierUris,
            ["web"] = new
            {
                redirectUris = app.WebRedirectUris,
                implicitGrantSettings = new { enableAccessTokenIssuance = false, enableIdTokenIssuance = false },
            },
            ["spa"] = new { redirectUris = app.SpaRedirectUris },
            ["publicClient"] = new { redirectUris = app.PublicClientRedirectUris },
            ["postLogoutRedirectUris"] = app.PostLogoutRedirectUris,
            ["api"] = new
            {
                requestedAccessTokenVersion = 2,
                oauth2PermissionScopes = PermissionScopes(app),
            },
            ["appRoles"] = AppRoles(app),
            ["requiredResourceAccess"] = app.RequiredResourceAccess.Select(r => new
            {
                resourceAppId = r.ResourceAppId,
                resourceAccess = r.ResourceAccess.Select(a => new { id = a.Id, type = a.Type }),
            }),
            ["groupMembershipClaims"] = app.GroupMembershipClaims,
            ["passwordCredentials"] = app.PasswordCredentials.OrderBy(c => c.StartDateTime).Select(c => PasswordCredentialResource(c)),
            ["keyCredentials"] = app.KeyCredentials.OrderBy(c => c.StartDateTime).Select(c => new
            {
                keyId = c.KeyId,
                displayName = c.DisplayName,
                type = "AsymmetricX509Cert",
                usage = "Verify",
                customKeyIdentifier = c.Thumbprint,
                startDateTime = c.StartDateTime,
                endDateTime = c.EndDateTime,
            }),
            ["tlsClientCertificateBoundAccessTokens"] = app.TlsClientCertificateBoundAccessTokens,
            ["@odata.etag"] = GraphResults.ETag(app.ConcurrencyStamp),
        };
    }

    /// <summary>
    /// Graph's <c>publisherDomain</c>: the tenant's default domain once verified (the domain a tenant starts with, so
    /// its initial one), else null. Every application of a tenant shows the same.
    /// </summary>
    public static Task<string?> PublisherDomainAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.TenantDomains.AsNoTracking()
            .Where(d => d.TenantId == tenantId && d.IsDefault && d.IsVerified)
            .OrderBy(d => d.Name)
            .Select(d => d.Name)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Graph's <c>verifiedPublisher</c>: set by an administrator, or every value null while unverified (as Graph shows it).</summary>
    public static object VerifiedPublisher(Application app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new
        {
            displayName = app.VerifiedPublisher?.DisplayName,
            verifiedPublisherId = app.VerifiedPublisher?.VerifiedPublisherId,
            addedDateTime = app.VerifiedPublisher?.AddedDateTime,
        };
    }

    /// <summary>The delegated permissions the application exposes (also shown by its service principal).</summary>
    public static IEnumerable<object> PermissionScopes(Application app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Oauth2PermissionScopes.Select(s => new
        {
            id = s.Id,
            value = s.Value,
            type = s.Type,
            adminConsentDisplayName = s.AdminConsentDisplayName,
            userConsentDisplayName = s.UserConsentDisplayName,
            isEnabled = s.IsEnabled,
        });
    }

    /// <summary>The app roles the application defines (also shown by its service principal).</summary>
    public static IEnumerable<object> AppRoles(Application app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.AppRoles.Select(r => new
        {
            id = r.Id,
            value = r.Value,
            displayName = r.DisplayName,
            allowedMemberTypes = r.AllowedMemberTypes,
            isEnabled = r.IsEnabled,
        });
    }

    /// <summary>A secret's metadata; <c>secretText</c> only in the one response that creates it.</summary>
    public static object PasswordCredentialResource(PasswordCredential credential, string? secretText = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new
        {
            keyId = credential.KeyId,
            displayName = credential.DisplayName,
            hint = credential.Hint,
            startDateTime = credential.StartDateTime,
            endDateTime = credential.EndDateTime,
            secretText,
        };
    }
}
