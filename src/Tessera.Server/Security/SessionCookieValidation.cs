using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Tessera.Directory.Users;
using Tessera.Policy.Sessions;
using Tessera.Server.Sessions;

namespace Tessera.Server.Security;

/// <summary>
/// Checks the SSO cookie against the directory on every request: a rotated security stamp (sessions revoked, password
/// reset, account disabled), a disabled or deleted user, or a server-side session that has ended or timed out
/// (<see cref="SignInSessionStore"/>) ends the session at once, not after Identity's default 30-minute interval.
/// </summary>
/// <remarks>
/// Identity's own <see cref="SecurityStampValidator"/> could run at every request too, but each time it passes it
/// re-issues the cookie with <c>IssuedUtc</c> set to now and a principal rebuilt without <c>amr</c>: the authorize
/// endpoint would then see every session as fresh (<c>max_age</c> never forcing a new sign-in) and forget how the user
/// authenticated. This check only rejects; a session that passes is left exactly as it was issued.
/// </remarks>
public static class SessionCookieValidation
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var signIn = context.HttpContext.RequestServices.GetRequiredService<SignInManager<DirectoryUser>>();
        var user = await signIn.ValidateSecurityStampAsync(context.Principal);

        // A cookie without a session id predates server-side sessions: it is signed in again like an ended one.
        if (user is { AccountEnabled: true } && SignInSessionStore.SessionIdOf(context.Principal) is { } sessionId)
        {
            var sessions = context.HttpContext.RequestServices.GetRequiredService<SignInSessionStore>();
            if (await sessions.CheckAsync(sessionId, user.Id, context.HttpContext.RequestAborted) is SessionVerdict.Active or SessionVerdict.ActiveTouch)
            {
                return;
            }
        }

        // Only the SSO cookie goes: a two-factor step in progress (its own cookie) belongs to the next sign-in, not this session.
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
