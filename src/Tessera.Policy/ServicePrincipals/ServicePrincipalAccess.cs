using Tessera.Policy.Errors;

namespace Tessera.Policy.ServicePrincipals;

/// <summary>Who a token is for: an application acting as itself (client credentials), or a signed-in user.</summary>
public enum TokenSubject
{
    Application,
    User,
}

/// <summary>
/// Where a refusal is answered. The authorization endpoint answers through the client's redirect URI (RFC 6749 §4.1.2.1
/// codes); the token and device authorization endpoints answer the client directly (§5.2 codes). The same rule travels
/// with the code its step allows.
/// </summary>
public enum ProtocolStep
{
    Authorization,
    Token,
}

/// <summary>
/// A service principal as these decisions see it. In Tessera a service principal is the tenant-local face of an
/// application registration, one per application, whose object id is the application's appId.
/// </summary>
public sealed record ServicePrincipalState(Guid AppId, string DisplayName, bool AccountEnabled, bool AppRoleAssignmentRequired);

/// <summary>
/// Whether a service principal's switches allow a token. Microsoft Graph's <c>accountEnabled</c> false means the
/// application signs nobody in and gets nothing, as client or as API; <c>appRoleAssignmentRequired</c> means only
/// principals holding an app role assignment (a role, or default access) may use it: applications asking for a token
/// for it, and users signing in to it or asking for a token for it. Only direct assignments count.
/// </summary>
public static class ServicePrincipalAccess
{
    private const string AccessDenied = "access_denied";
    private const string InvalidGrant = "invalid_grant";
    private const string UnauthorizedClient = "unauthorized_client";

    /// <summary>A client whose service principal is disabled gets no code and no token, whatever the grant.</summary>
    public static TesseraError? AsClient(ServicePrincipalState client, ProtocolStep step)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.AccountEnabled)
        {
            return null;
        }

        var error = TesseraErrors.ApplicationDisabled.With(client.AppId.ToString("D"));

        // invalid_client is not a code the authorization endpoint may return (RFC 6749 §4.1.2.1).
        return step == ProtocolStep.Authorization ? error with { OAuthError = UnauthorizedClient } : error;
    }

    /// <summary>
    /// A token whose audience is the API <paramref name="resource"/>: the API must be enabled and, if it requires
    /// assignment, <paramref name="assigned"/> must say the subject holds one.
    /// </summary>
    public static TesseraError? AsAudience(ServicePrincipalState resource, TokenSubject subject, bool assigned, ProtocolStep step)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (!resource.AccountEnabled)
        {
            return TesseraErrors.ResourceDisabled.With(resource.DisplayName);
        }

        if (!resource.AppRoleAssignmentRequired || assigned)
        {
            return null;
        }

        return subject == TokenSubject.Application
            ? TesseraErrors.ApplicationNotAssigned.With(resource.DisplayName, resource.AppId.ToString("D"))
            : UserNotAssigned(resource, step);
    }

    /// <summary>A user signing in to the application <paramref name="client"/>: if it requires assignment, the user must hold one.</summary>
    public static TesseraError? UserSignIn(ServicePrincipalState client, bool assigned, ProtocolStep step)
    {
        ArgumentNullException.ThrowIfNull(client);
        return !client.AppRoleAssignmentRequired || assigned ? null : UserNotAssigned(client, step);
    }

    // At the authorization endpoint the user is refused (access_denied); at the token endpoint the code or refresh
    // token no longer stands for a user who may have it (invalid_grant), as for a disabled user.
    private static TesseraError UserNotAssigned(ServicePrincipalState servicePrincipal, ProtocolStep step)
    {
        var error = TesseraErrors.UserNotAssigned.With(servicePrincipal.DisplayName, servicePrincipal.AppId.ToString("D"));
        return step == ProtocolStep.Authorization ? error : error with { OAuthError = InvalidGrant };
    }
}
