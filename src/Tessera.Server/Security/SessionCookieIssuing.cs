using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Sessions;
using Tessera.Directory.Storage;
using Tessera.Server.Sessions;

namespace Tessera.Server.Security;

/// <summary>
/// Gives every issued SSO cookie a server-side session (<see cref="SignInSessionStore"/>): a sign-in gets a NEW session
/// id, whatever the browser had before (no session fixation), and the browser's previous session ends. A re-issue of
/// the same sign-in (Identity's <c>RefreshSignInAsync</c>, which keeps the authentication properties) keeps its session
/// while that session is still open. The cookie's own expiry is the session's absolute end.
/// </summary>
public static class SessionCookieIssuing
{
    public static async Task SigningInAsync(CookieSigningInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var principal = context.Principal ?? throw new InvalidOperationException("The session cookie is being issued without a principal.");
        var identity = principal.Identities.First();
        var userIdClaim = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity.UserIdClaimType;
        var userId = Guid.Parse(principal.FindFirstValue(userIdClaim) ?? throw new InvalidOperationException("The session cookie is being issued without a user id."));
        var store = http.RequestServices.GetRequiredService<SignInSessionStore>();
        var cancellationToken = http.RequestAborted;

        // The session of the cookie this request came with, if any and still valid.
        var current = await SignInSessionStore.OfRequestAsync(http);
        var carried = context.Properties.Items.TryGetValue(SignInSessionStore.SessionIdItem, out var item) && Guid.TryParse(item, out var id) ? id : (Guid?)null;

        foreach (var old in identity.FindAll(SignInSessionStore.SessionIdClaim).ToList())
        {
            identity.RemoveClaim(old);
        }

        if (carried is { } kept && kept == current?.SessionId && await store.IsOpenAsync(kept, userId, cancellationToken))
        {
            identity.AddClaim(new Claim(SignInSessionStore.SessionIdClaim, kept.ToString("D")));
            return;
        }

        if (current is { } previous)
        {
            await store.EndAsync(previous.SessionId, previous.UserId, SessionEndReasons.Replaced, cancellationToken);
        }

        var tenantId = await http.RequestServices.GetRequiredService<TesseraDbContext>().Users.AsNoTracking()
            .Where(u => u.Id == userId).Select(u => u.TenantId).FirstAsync(cancellationToken);
        var timeouts = await store.TimeoutsAsync(tenantId, cancellationToken);
        var issued = context.Properties.IssuedUtc ?? context.Options.TimeProvider!.GetUtcNow();
        var expires = issued + timeouts.Absolute;
        if (context.Properties.ExpiresUtc is not { } set || set > expires)
        {
            context.Properties.ExpiresUtc = expires;
        }

        var session = await store.StartAsync(tenantId, userId, http, principal.FindAll("amr").Select(c => c.Value), issued, context.Properties.ExpiresUtc.Value, cancellationToken);
        identity.AddClaim(new Claim(SignInSessionStore.SessionIdClaim, session.Id.ToString("D")));
        context.Properties.Items[SignInSessionStore.SessionIdItem] = session.Id.ToString("D");
    }
}
