using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tessera.Directory.Sessions;
using Tessera.Directory.Storage;
using Tessera.Policy.Sessions;
using Tessera.Policy.SignIns;
using Tessera.Server.Hosting;

namespace Tessera.Server.Sessions;

/// <summary>
/// The server-side records of sign-in sessions: started when the SSO cookie is issued, checked at each request that
/// carries it, ended by sign-out, administrators, timeouts and account changes. Reads are untracked and the
/// per-request writes (last activity, a timeout) are single UPDATE statements, so checking a session never saves
/// anything else the request has pending. Ending sessions for a change that is saved with an audit entry is
/// <see cref="EndAllTrackedAsync"/>: the caller's save writes both.
/// </summary>
public sealed class SignInSessionStore(TesseraDbContext db, TimeProvider time, IOptions<TesseraOptions> options, IMemoryCache cache)
{
    /// <summary>The claim of the SSO cookie (and of ID tokens) that names the session.</summary>
    public const string SessionIdClaim = "sid";

    /// <summary>The same id in the cookie's authentication properties, which survive a re-issue of the cookie.</summary>
    public const string SessionIdItem = ".tessera.sid";

    private static readonly TimeSpan PolicyCacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>The server's timeouts (configuration).</summary>
    public SessionTimeouts ServerTimeouts => new(options.Value.Sessions.IdleTimeout, options.Value.Sessions.AbsoluteTimeout);

    /// <summary>The tenant's timeouts, cached briefly: every request with a session cookie asks.</summary>
    public async Task<SessionTimeouts> TimeoutsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var key = PolicyCacheKey(tenantId);
        if (cache.TryGetValue(key, out SessionTimeouts? cached) && cached is not null)
        {
            return cached;
        }

        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => new { t.SessionIdleTimeoutMinutes, t.SessionAbsoluteTimeoutMinutes }).FirstOrDefaultAsync(cancellationToken);
        var timeouts = SessionRules.Effective(ServerTimeouts, tenant?.SessionIdleTimeoutMinutes, tenant?.SessionAbsoluteTimeoutMinutes);
        cache.Set(key, timeouts, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = PolicyCacheLifetime, Size = 1 });
        return timeouts;
    }

    /// <summary>Forgets the cached timeouts of a tenant whose policy changed (other nodes follow within half a minute).</summary>
    public void PolicyChanged(Guid tenantId) => cache.Remove(PolicyCacheKey(tenantId));

    /// <summary>Starts (and saves) a new session for a sign-in from this request, issued (as the cookie says) at <paramref name="issued"/>.</summary>
    public async Task<SignInSession> StartAsync(
        Guid tenantId, Guid userId, HttpContext http, IEnumerable<string> methods, DateTimeOffset issued, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var now = issued;
        var ip = http.Connection.RemoteIpAddress;
        var session = new SignInSession
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            UserId = userId,
            CreatedDateTime = now,
            LastActivityDateTime = now,
            ExpiresDateTime = expires,
            IpAddress = ClientAddress.Text(ip),
            UserAgent = Cut(http.Request.Headers.UserAgent.ToString(), SignInSession.UserAgentLength),
            AuthenticationMethods = Cut(string.Join(' ', methods.Distinct(StringComparer.Ordinal)), SignInSession.MethodsLength),
        };
        db.SignInSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(session).State = EntityState.Detached;
        return session;
    }

    /// <summary>
    /// Checks the session at a request: ends it if a timeout has passed, records the activity if the last record is a
    /// minute old. A session that does not exist or belongs to someone else counts as ended.
    /// </summary>
    public async Task<SessionVerdict> CheckAsync(Guid sessionId, Guid userId, CancellationToken cancellationToken)
    {
        var session = await db.SignInSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null || session.UserId != userId)
        {
            return SessionVerdict.Ended;
        }

        var now = time.GetUtcNow();
        var verdict = SessionRules.Check(
            new SessionState(session.CreatedDateTime, session.LastActivityDateTime, session.ExpiresDateTime, session.EndedDateTime is not null),
            await TimeoutsAsync(session.TenantId, cancellationToken), now);
        switch (verdict)
        {
            case SessionVerdict.ActiveTouch:
                await db.SignInSessions.Where(s => s.Id == sessionId && s.EndedDateTime == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastActivityDateTime, now), cancellationToken);
                break;
            case SessionVerdict.IdleTimeout or SessionVerdict.AbsoluteTimeout:
                var reason = verdict == SessionVerdict.IdleTimeout ? SessionEndReasons.IdleTimeout : SessionEndReasons.AbsoluteTimeout;
                await db.SignInSessions.Where(s => s.Id == sessionId && s.EndedDateTime == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedDateTime, now).SetProperty(s => s.EndReason, reason), cancellationToken);
                break;
        }

        return verdict;
    }

    /// <summary>Whether the session is active (not ended; timeouts are left to the next request's check).</summary>
    public Task<bool> IsOpenAsync(Guid sessionId, Guid userId, CancellationToken cancellationToken)
        => db.SignInSessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.UserId == userId && s.EndedDateTime == null, cancellationToken);

    /// <summary>
    /// Whether the session was ended by someone (sign-out, an administrator, an account change) rather than by time:
    /// refresh tokens issued in it then end too, while a session that merely timed out leaves the applications their tokens.
    /// </summary>
    public Task<bool> WasEndedAsync(Guid sessionId, CancellationToken cancellationToken)
        => db.SignInSessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.EndedDateTime != null &&
            s.EndReason != SessionEndReasons.IdleTimeout && s.EndReason != SessionEndReasons.AbsoluteTimeout && s.EndReason != SessionEndReasons.Replaced,
            cancellationToken);

    /// <summary>Ends one session now, if it is the user's and still open. Returns whether it ended one.</summary>
    public async Task<bool> EndAsync(Guid sessionId, Guid userId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.SignInSessions.Where(s => s.Id == sessionId && s.UserId == userId && s.EndedDateTime == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedDateTime, now).SetProperty(s => s.EndReason, reason), cancellationToken) > 0;
    }

    /// <summary>Marks one open session of the user ended, in the context's unit of work; null if there is none.</summary>
    public async Task<SignInSession?> EndTrackedAsync(Guid tenantId, Guid userId, Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var session = await db.SignInSessions.FirstOrDefaultAsync(
            s => s.Id == sessionId && s.TenantId == tenantId && s.UserId == userId && s.EndedDateTime == null, cancellationToken);
        if (session is not null)
        {
            session.EndedDateTime = time.GetUtcNow();
            session.EndReason = reason;
        }

        return session;
    }

    /// <summary>Marks every open session of the user ended, in the context's unit of work: the caller's save writes them.</summary>
    /// <returns>The sessions ended.</returns>
    public async Task<IReadOnlyList<SignInSession>> EndAllTrackedAsync(Guid userId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = await db.SignInSessions.Where(s => s.UserId == userId && s.EndedDateTime == null).ToListAsync(cancellationToken);
        foreach (var session in open)
        {
            session.EndedDateTime = now;
            session.EndReason = reason;
        }

        return open;
    }

    /// <summary>The user's sessions that are still in force (open and within their timeouts), newest first.</summary>
    public async Task<IReadOnlyList<SignInSession>> ActiveAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var timeouts = await TimeoutsAsync(tenantId, cancellationToken);
        var open = await db.SignInSessions.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.UserId == userId && s.EndedDateTime == null && s.ExpiresDateTime > now)
            .ToListAsync(cancellationToken);
        return [.. open.Where(s => SessionRules.Check(new SessionState(s.CreatedDateTime, s.LastActivityDateTime, s.ExpiresDateTime, false), timeouts, now)
                is SessionVerdict.Active or SessionVerdict.ActiveTouch)
            .OrderByDescending(s => s.CreatedDateTime)];
    }

    /// <summary>The session and user of the browser's SSO cookie in this request, if it has a valid one.</summary>
    public static async Task<(Guid SessionId, Guid UserId)?> OfRequestAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var userIdClaim = http.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.UserIdClaimType;
        return session.Succeeded && SessionIdOf(session.Principal) is { } sessionId &&
               Guid.TryParse(session.Principal!.FindFirst(userIdClaim)?.Value, out var userId)
            ? (sessionId, userId)
            : null;
    }

    /// <summary>The session id a cookie principal carries, if any.</summary>
    public static Guid? SessionIdOf(ClaimsPrincipal? principal)
        => Guid.TryParse(principal?.FindFirst(SessionIdClaim)?.Value, out var id) ? id : null;

    private static string PolicyCacheKey(Guid tenantId) => $"tessera:session-policy:{tenantId:N}";

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];
}
