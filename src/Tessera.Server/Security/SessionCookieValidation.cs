using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Tessera.Directory.Users;

namespace Tessera.Server.Security;

/// <summary>
/// Checks the SSO cookie against the directory on every request: a rotated security stamp (sessions revoked, password
/// reset, account disabled) or a disabled or deleted user ends the session at once, not after Identity's default
/// 30-minute interval.
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
        if (user is { AccountEnabled: true })
        {
            return;
        }

        context.RejectPrincipal();
        await signIn.SignOutAsync();
    }
}
