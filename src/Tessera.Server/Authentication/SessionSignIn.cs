using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;

namespace Tessera.Server.Authentication;

/// <summary>
/// Signs the SSO session cookie in once a person has proved who they are, with how (<c>amr</c>) and when
/// (<c>auth_time</c>): the authorization endpoint copies both into tokens, and <see cref="IsRecent"/> reads the time
/// for changes that need a fresh sign-in. Every way to sign in ends here, so the cookie always reads the same.
/// Also the pending second step after a password: Identity's two-factor cookie, naming the user only.
/// </summary>
public sealed class SessionSignIn(SignInManager<DirectoryUser> signIn, UserManager<DirectoryUser> users, TimeProvider time)
{
    public const string AuthenticationTimeClaim = "auth_time";
    public const string MethodClaim = "amr";

    /// <summary>How long a sign-in counts as recent enough to add or remove a sign-in method.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(10);

    public async Task SignInAsync(DirectoryUser user, IReadOnlyList<string> methods)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(methods);
        var now = time.GetUtcNow();
        List<Claim> claims =
        [
            .. methods.Select(m => new Claim(MethodClaim, m)),
            new(AuthenticationTimeClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        ];

        // The second-step cookie has served its purpose (or belongs to an abandoned attempt).
        await signIn.Context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signIn.SignInWithClaimsAsync(user, new AuthenticationProperties { IsPersistent = false, IssuedUtc = now }, claims);
    }

    /// <summary>
    /// Issues the current session's cookie again after a change that rotated the user's security stamp (Identity does
    /// so when the authenticator app or two-factor setting changes): same methods, same authentication time, so the
    /// session neither ends nor looks fresher than it is. Other sessions of the user end, as the stamp intends.
    /// </summary>
    public async Task RefreshAsync(DirectoryUser user, AuthenticateResult session)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(session);
        if (!session.Succeeded)
        {
            return;
        }

        var at = AuthenticatedAt(session) ?? time.GetUtcNow();
        List<Claim> claims =
        [
            .. Methods(session.Principal!).Select(m => new Claim(MethodClaim, m)),
            new(AuthenticationTimeClaim, at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        ];
        var properties = session.Properties ?? new AuthenticationProperties();
        await signIn.SignInWithClaimsAsync(user, properties, claims);
    }

    /// <summary>Remembers that <paramref name="user"/>'s password was right and the second step is pending.</summary>
    public async Task BeginSecondStepAsync(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Id.ToString("D")));
        await signIn.Context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>The user whose second step is pending in this browser: enabled and of <paramref name="tenantId"/>; else null.</summary>
    public async Task<DirectoryUser?> PendingSecondStepAsync(Guid tenantId)
    {
        var result = await signIn.Context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        var id = result.Principal?.FindFirstValue(ClaimTypes.Name);
        var user = id is null ? null : await users.FindByIdAsync(id);
        return user is { AccountEnabled: true } && user.TenantId == tenantId && user.TwoFactorEnabled ? user : null;
    }

    /// <summary>When the session was signed in: its <c>auth_time</c>, else the cookie's issue time.</summary>
    public static DateTimeOffset? AuthenticatedAt(AuthenticateResult session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!session.Succeeded)
        {
            return null;
        }

        return long.TryParse(session.Principal?.FindFirstValue(AuthenticationTimeClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : session.Properties?.IssuedUtc;
    }

    /// <summary>Whether the session was signed in within <see cref="RecentWindow"/> of <paramref name="now"/>.</summary>
    public static bool IsRecent(AuthenticateResult session, DateTimeOffset now)
        => AuthenticatedAt(session) is { } at && now - at <= RecentWindow && at <= now + TimeSpan.FromMinutes(1);

    /// <summary>The session's <c>amr</c> values (a session from before Tessera recorded them was a password).</summary>
    public static IReadOnlyList<string> Methods(ClaimsPrincipal session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var methods = session.FindAll(MethodClaim).Select(c => c.Value).ToList();
        return methods.Count > 0 ? methods : AuthenticationStrengths.Password;
    }
}
