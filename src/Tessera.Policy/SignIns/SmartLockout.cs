namespace Tessera.Policy.SignIns;

/// <summary>Lockout state of one account for one kind of source, as stored.</summary>
public sealed record LockoutState(int Failures, int Lockouts, DateTimeOffset? LockedUntil, DateTimeOffset? LastFailure, IReadOnlyList<string> RecentFailureHashes)
{
    public static readonly LockoutState Fresh = new(0, 0, null, null, []);
}

/// <summary>A tenant's lockout settings: failures that lock, and how long the first lockout lasts.</summary>
public sealed record LockoutSettings(int Threshold, TimeSpan Duration);

/// <summary>
/// Smart lockout's decisions for one account and one kind of source (familiar or not), after Entra ID's: a lockout
/// after <see cref="LockoutSettings.Threshold"/> distinct wrong passwords; the same wrong password again does not
/// count (a phone retrying an old password is not an attack); after a lockout has passed, the next wrong password locks
/// again at once and for twice as long (at most <see cref="LongestLockout"/>); a success or a quiet day starts afresh.
/// </summary>
public static class SmartLockout
{
    /// <summary>How many hashes of recent wrong passwords are remembered.</summary>
    public const int RememberedFailures = 5;

    public static readonly TimeSpan LongestLockout = TimeSpan.FromDays(1);

    /// <summary>A failure this long after the previous one starts the count again.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromDays(1);

    /// <summary>Whether sign-in is refused now, without checking the password.</summary>
    public static bool IsLockedOut(LockoutState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.LockedUntil is { } until && until > now;
    }

    /// <summary>The state after a wrong password whose keyed hash is <paramref name="failureHash"/>.</summary>
    public static LockoutState AfterFailure(LockoutState state, LockoutSettings settings, string failureHash, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        if (state.LastFailure is { } last && now - last > QuietPeriod)
        {
            state = LockoutState.Fresh;
        }

        if (state.RecentFailureHashes.Contains(failureHash, StringComparer.Ordinal))
        {
            return state with { LastFailure = now };
        }

        var remembered = state.RecentFailureHashes.Append(failureHash).TakeLast(RememberedFailures).ToArray();
        var failures = state.Failures + 1;

        // Once locked out, every new wrong password locks again: the lockout only paused the attack.
        var threshold = state.Lockouts > 0 ? 1 : Math.Max(1, settings.Threshold);
        if (failures < threshold)
        {
            return state with { Failures = failures, LastFailure = now, RecentFailureHashes = remembered };
        }

        var lockouts = state.Lockouts + 1;
        return new LockoutState(0, lockouts, now + Duration(settings, lockouts), now, remembered);
    }

    /// <summary>How long the <paramref name="lockout"/>th lockout in a row lasts: doubling, up to <see cref="LongestLockout"/>.</summary>
    public static TimeSpan Duration(LockoutSettings settings, int lockout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var factor = Math.Pow(2, Math.Clamp(lockout - 1, 0, 20));
        var ticks = Math.Min(settings.Duration.Ticks * factor, LongestLockout.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
