using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Security;

/// <summary>
/// Ends a person's sign-in sessions everywhere. The SSO cookie dies with the security stamp (the caller rotates it
/// through <c>UserManager</c>; <see cref="SessionCookieValidation"/> compares it on every request) and the caller ends
/// the server-side records (<see cref="Sessions.SignInSessionStore.EndAllTrackedAsync"/>, saved with its audit entry); this revokes the
/// protocol side: every grant (OpenIddict authorization) and every stored token (refresh tokens, unredeemed codes)
/// of the subject, so a refresh fails at once. JWT access tokens are not stored: they live out their short lifetime.
/// </summary>
public static class SignInSessions
{
    /// <returns>How many grants and tokens were revoked.</returns>
    public static async Task<int> RevokeAsync(
        Guid userId, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorizations);
        ArgumentNullException.ThrowIfNull(tokens);
        var subject = userId.ToString("D");
        var revoked = 0;

        // Read first, then write: the stores share one DbContext, which cannot update while a query streams.
        var grants = new List<object>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(subject, cancellationToken))
        {
            grants.Add(authorization);
        }

        foreach (var authorization in grants)
        {
            if (!await authorizations.HasStatusAsync(authorization, Statuses.Revoked, cancellationToken) &&
                await authorizations.TryRevokeAsync(authorization, cancellationToken))
            {
                revoked++;
            }
        }

        var issued = new List<object>();
        await foreach (var token in tokens.FindBySubjectAsync(subject, cancellationToken))
        {
            issued.Add(token);
        }

        foreach (var token in issued)
        {
            // Redeemed and revoked tokens are already refused; writing them again would only cost time.
            if ((await tokens.HasStatusAsync(token, Statuses.Valid, cancellationToken) || await tokens.HasStatusAsync(token, Statuses.Inactive, cancellationToken)) &&
                await tokens.TryRevokeAsync(token, cancellationToken))
            {
                revoked++;
            }
        }

        return revoked;
    }
}
