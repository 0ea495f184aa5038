using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using Tessera.Directory.Sessions;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Server.Admin;
using Tessera.Server.Admin.Audit;
using Tessera.Server.SharedSignals;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Security;
using Tessera.Server.Sessions;

namespace Tessera.Server.Pages.Account;

/// <summary>One row of the session list.</summary>
public sealed record SessionRow(Guid Id, bool Current, DateTimeOffset Created, DateTimeOffset LastActive, string IpAddress, string Browser, string Methods);

/// <summary>
/// "Your sessions": where the user is signed in, with "sign out" for each session and "sign out everywhere", which
/// ends every session, revokes every application's refresh tokens and rotates the security stamp.
/// </summary>
public sealed class SessionsModel(
    UserManager<DirectoryUser> users, SignInManager<DirectoryUser> signIn, SignInSessionStore sessions, TesseraDbContext db, AuditLog audit,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, TimeProvider time, SecurityEventOutbox signals) : TenantPageModel
{
    private const string Category = "UserManagement";

    public IReadOnlyList<SessionRow> Sessions { get; private set; } = [];
    public string UserName { get; private set; } = string.Empty;

    /// <summary>What the last action did, shown once.</summary>
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? ended)
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn($"{Request.PathBase}/account/sessions");
        }

        UserName = user.UserName ?? string.Empty;
        Notice = ended switch
        {
            "one" => "That session is signed out.",
            "gone" => "That session had already ended.",
            _ => null,
        };
        var current = (await SignInSessionStore.OfRequestAsync(HttpContext))?.SessionId;
        Sessions = [.. (await sessions.ActiveAsync(Tenant.Id, user.Id, HttpContext.RequestAborted))
            .OrderByDescending(s => s.Id == current)
            .Select(s => new SessionRow(s.Id, s.Id == current, s.CreatedDateTime, s.LastActivityDateTime, s.IpAddress,
                BrowserDescription.Of(s.UserAgent), string.IsNullOrEmpty(s.AuthenticationMethods) ? "-" : s.AuthenticationMethods))];
        return Page();
    }

    /// <summary>Signs one session out; the browser that holds it is signed out at its next request.</summary>
    public async Task<IActionResult> OnPostEndAsync(string? sessionId)
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn($"{Request.PathBase}/account/sessions");
        }

        // Someone else's session, another tenant's, or nonsense: the same answer as one already ended, and nothing changes.
        var ended = Guid.TryParse(sessionId, out var id)
            ? await sessions.EndTrackedAsync(Tenant.Id, user.Id, id, SessionEndReasons.EndedByUser, HttpContext.RequestAborted)
            : null;
        if (ended is null)
        {
            return SeeOther($"{Request.PathBase}/account/sessions?ended=gone");
        }

        await audit.RecordAsync(Tenant.Id, user, Category, "End sign-in session", Target(user, [new ModifiedProperty("signInSession", ended.Id.ToString("D"), null)]), HttpContext.RequestAborted);
        await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));
        if ((await SignInSessionStore.OfRequestAsync(HttpContext))?.SessionId == id)
        {
            await signIn.SignOutAsync();
            return SeeOther($"{Request.PathBase}/account/signedout");
        }

        return SeeOther($"{Request.PathBase}/account/sessions?ended=one");
    }

    /// <summary>Ends every session of the user, this one included, and every application's refresh tokens.</summary>
    public async Task<IActionResult> OnPostEverywhereAsync()
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn($"{Request.PathBase}/account/sessions");
        }

        var ended = await sessions.EndAllTrackedAsync(user.Id, SessionEndReasons.SignedOutEverywhere, HttpContext.RequestAborted);
        await signals.QueueAsync(Tenant.Id, DirectoryChangeKind.SessionsRevoked, user.Id, InitiatingEntities.User, HttpContext.RequestAborted);
        await audit.RecordAsync(Tenant.Id, user, Category, "Sign out everywhere", Target(user,
        [
            new ModifiedProperty("signInSessionsValidFromDateTime", null, time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            new ModifiedProperty("signInSessionsEnded", null, ended.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]), HttpContext.RequestAborted);
        await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));

        // The stamp ends every cookie even where a session record could not be reached; the tokens end applications' access.
        await users.UpdateSecurityStampAsync(user);
        await SignInSessions.RevokeAsync(user.Id, authorizations, tokens, HttpContext.RequestAborted);
        await signIn.SignOutAsync();
        return SeeOther($"{Request.PathBase}/account/signedout");
    }

    private static AuditTarget Target(DirectoryUser user, IReadOnlyList<ModifiedProperty> modified)
        => new(user.Id.ToString(), "User", user.UserName, modified);
}
