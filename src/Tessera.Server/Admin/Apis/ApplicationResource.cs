using Tessera.Directory.Applications;

namespace Tessera.Server.Admin.Apis;

/// <summary>An application as the admin API shows it: Microsoft Graph's <c>application</c> resource.</summary>
public static class ApplicationResource
{
    public static object From(Application app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Dictionary<string, object?>
        {
            ["id"] = app.Id,
            ["appId"] = app.AppId,
            ["displayName"] = app.DisplayName,
            ["signInAudience"] = app.SignInAudience,
            ["createdDateTime"] = app.CreatedDateTime,
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
            ["@odata.etag"] = GraphResults.ETag(app.ConcurrencyStamp),
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
