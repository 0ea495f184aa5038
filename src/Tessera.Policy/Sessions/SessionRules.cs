using System.Globalization;
using System.Xml;
using Tessera.Policy.Errors;

namespace Tessera.Policy.Sessions;

/// <summary>How long sign-in sessions last: ended after <see cref="Idle"/> without a request, and after <see cref="Absolute"/> in any case.</summary>
public sealed record SessionTimeouts(TimeSpan Idle, TimeSpan Absolute)
{
    public static readonly SessionTimeouts Default = new(TimeSpan.FromHours(1), TimeSpan.FromHours(12));
}

/// <summary>A session as the checks need it.</summary>
public sealed record SessionState(DateTimeOffset Created, DateTimeOffset LastActivity, DateTimeOffset Expires, bool Ended);

/// <summary>What to do with a session at a request.</summary>
public enum SessionVerdict
{
    /// <summary>Active; nothing to write.</summary>
    Active,

    /// <summary>Active; record the activity (the last write is older than <see cref="SessionRules.TouchInterval"/>).</summary>
    ActiveTouch,

    /// <summary>Already ended (signed out, revoked, ...).</summary>
    Ended,
    IdleTimeout,
    AbsoluteTimeout,
}

/// <summary>The rules of sign-in sessions: their timeouts, their limits, and the check made at each request.</summary>
public static class SessionRules
{
    public static readonly TimeSpan ShortestIdle = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan LongestIdle = TimeSpan.FromHours(24);
    public static readonly TimeSpan ShortestAbsolute = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LongestAbsolute = TimeSpan.FromDays(30);

    /// <summary>Last activity is written at most this often per session: a busy session costs one write a minute, not one per request.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    /// <summary>The session's fate at <paramref name="now"/> under <paramref name="timeouts"/> (the tenant's current ones).</summary>
    public static SessionVerdict Check(SessionState session, SessionTimeouts timeouts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(timeouts);
        if (session.Ended)
        {
            return SessionVerdict.Ended;
        }

        // A policy shortened since the session began applies to it too.
        var end = session.Expires < session.Created + timeouts.Absolute ? session.Expires : session.Created + timeouts.Absolute;
        if (now >= end)
        {
            return SessionVerdict.AbsoluteTimeout;
        }

        if (now - session.LastActivity >= timeouts.Idle)
        {
            return SessionVerdict.IdleTimeout;
        }

        return now - session.LastActivity >= TouchInterval ? SessionVerdict.ActiveTouch : SessionVerdict.Active;
    }

    /// <summary>The effective timeouts: the tenant's where set, else the server's.</summary>
    public static SessionTimeouts Effective(SessionTimeouts server, int? idleMinutes, int? absoluteMinutes)
    {
        ArgumentNullException.ThrowIfNull(server);
        var absolute = absoluteMinutes is { } a ? TimeSpan.FromMinutes(a) : server.Absolute;
        var idle = idleMinutes is { } i ? TimeSpan.FromMinutes(i) : server.Idle;
        return new SessionTimeouts(idle < absolute ? idle : absolute, absolute);
    }

    /// <summary>A duration as the policy writes it: <c>PT1H</c>, <c>PT90M</c>, <c>P1D</c>.</summary>
    public static string Duration(TimeSpan value) => XmlConvert.ToString(value);

    /// <summary>An idle timeout from the policy: whole minutes from 5 minutes to 24 hours.</summary>
    public static (int Minutes, TesseraError? Error) IdleMinutes(string? value)
        => Minutes(value, ShortestIdle, LongestIdle, SessionErrors.IdleTimeoutInvalid);

    /// <summary>An absolute timeout from the policy: whole minutes from 15 minutes to 30 days.</summary>
    public static (int Minutes, TesseraError? Error) AbsoluteMinutes(string? value)
        => Minutes(value, ShortestAbsolute, LongestAbsolute, SessionErrors.AbsoluteTimeoutInvalid);

    /// <summary>Both timeouts together: idle may not exceed absolute.</summary>
    public static TesseraError? Consistent(TimeSpan idle, TimeSpan absolute)
        => idle <= absolute ? null : SessionErrors.IdleLongerThanAbsolute.With(Duration(idle), Duration(absolute));

    /// <summary>The server's own timeouts (configuration), or the error that stops start-up.</summary>
    public static TesseraError? CheckServer(SessionTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        if (timeouts.Absolute < ShortestAbsolute || timeouts.Absolute > LongestAbsolute)
        {
            return SessionErrors.ServerAbsoluteTimeoutInvalid.With(timeouts.Absolute.ToString("c", CultureInfo.InvariantCulture));
        }

        return timeouts.Idle < ShortestIdle || timeouts.Idle > LongestIdle || timeouts.Idle > timeouts.Absolute
            ? SessionErrors.ServerIdleTimeoutInvalid.With(timeouts.Idle.ToString("c", CultureInfo.InvariantCulture))
            : null;
    }

    private static (int Minutes, TesseraError? Error) Minutes(string? value, TimeSpan shortest, TimeSpan longest, TesseraError invalid)
    {
        if (value is { Length: > 1 and <= 32 } && value[0] == 'P' && !value.Contains('-', StringComparison.Ordinal) && !value.Contains('Y', StringComparison.Ordinal) &&
            !value.Split('T')[0].Contains('M', StringComparison.Ordinal)) // months and years have no fixed length
        {
            try
            {
                var duration = XmlConvert.ToTimeSpan(value);
                if (duration.Ticks % TimeSpan.TicksPerMinute == 0 && duration >= shortest && duration <= longest)
                {
                    return ((int)duration.TotalMinutes, null);
                }
            }
            catch (FormatException)
            {
            }
            catch (OverflowException)
            {
            }
        }

        return (0, invalid.With(value ?? "(none)"));
    }
}
