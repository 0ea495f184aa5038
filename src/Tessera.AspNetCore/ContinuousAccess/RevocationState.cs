using System.Collections.Concurrent;
using Tessera.AspNetCore.Caching;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>
/// A subject of a tenant: a user or a service principal, by <c>tid</c> and <c>oid</c>; or, with
/// <paramref name="IsClient"/>, a client application whose delegated tokens (by <c>azp</c>) are concerned, whoever their user.
/// </summary>
internal readonly record struct Subject(Guid TenantId, Guid ObjectId, bool IsClient = false)
{
    public static Subject? Of(string? tenantId, string? objectId)
        => Guid.TryParse(tenantId, out var tid) && Guid.TryParse(objectId, out var oid) ? new Subject(tid, oid) : null;

    public static Subject? ClientOf(string? tenantId, string? clientId)
        => Guid.TryParse(tenantId, out var tid) && Guid.TryParse(clientId, out var azp) ? new Subject(tid, azp, IsClient: true) : null;
}

/// <summary>
/// For each subject, the latest time (Unix seconds) at which its access was revoked: a token of that subject issued at
/// or before it is refused. One lookup per request, in memory. An entry lives only as long as a token issued before it
/// could (<see cref="Horizon"/>); past <see cref="Capacity"/> subjects the oldest entries are folded into one time for
/// everyone (<see cref="Floor"/>), which refuses more tokens, never fewer.
/// </summary>
internal sealed class RevocationState(TimeProvider time)
{
    /// <summary>The longest access-token lifetime (28 h) and the largest clock skew.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(28) + TimeSpan.FromMinutes(1);

    public const int Capacity = 200_000;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Subject, long> _revoked = new();
    private readonly Lock _writing = new();
    private long _floor = long.MinValue;
    private int _count;
    private DateTimeOffset _nextSweep = time.GetUtcNow() + SweepInterval;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Tokens issued at or before this time are refused whoever their subject is (only after an overflow).</summary>
    public long Floor => Volatile.Read(ref _floor);

    /// <summary>Whether a token of <paramref name="subject"/> issued at <paramref name="issuedAt"/> is revoked, and since when.</summary>
    public bool IsRevoked(Subject? subject, long issuedAt, out long revokedAt)
    {
        revokedAt = Volatile.Read(ref _floor);
        if (issuedAt <= revokedAt)
        {
            return true;
        }

        return Volatile.Read(ref _count) > 0 && subject is { } key && _revoked.TryGetValue(key, out revokedAt) && issuedAt <= revokedAt;
    }

    /// <summary>Whether a token is revoked by its subject's revocation or, for a delegated token, by its client's.</summary>
    public bool IsRevoked(in TokenFacts facts, out long revokedAt)
        => IsRevoked(facts.Subject, facts.IssuedAt, out revokedAt) ||
           (facts.Client is not null && IsRevoked(facts.Client, facts.IssuedAt, out revokedAt));

    /// <summary>Records a revocation; an older one than known changes nothing. Returns whether it changed anything.</summary>
    public bool Revoke(Subject subject, long at)
    {
        var now = time.GetUtcNow();
        if (at < now.Add(-Horizon).ToUnixTimeSeconds())
        {
            return false;
        }

        lock (_writing)
        {
            SweepIfDue(now);
            if (_revoked.TryGetValue(subject, out var known))
            {
                if (known >= at)
                {
                    return false;
                }

                _revoked[subject] = at;
                return true;
            }

            if (_count >= Capacity)
            {
                Fold();
            }

            _revoked[subject] = at;
            Interlocked.Increment(ref _count);
            return true;
        }
    }

    /// <summary>Every entry still in force, to write a journal from.</summary>
    public IEnumerable<(Subject Subject, long At)> Entries() => _revoked.Select(e => (e.Key, e.Value));

    private void SweepIfDue(DateTimeOffset now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + SweepInterval;
        var expired = now.Add(-Horizon).ToUnixTimeSeconds();
        foreach (var (subject, at) in _revoked)
        {
            if (at < expired && _revoked.TryRemove(subject, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    // Too many subjects at once (a mass revocation): the oldest half becomes one time for everyone.
    private void Fold()
    {
        var times = _revoked.Values.ToArray();
        Array.Sort(times);
        var cutoff = times[times.Length / 2];
        foreach (var (subject, at) in _revoked)
        {
            if (at <= cutoff && _revoked.TryRemove(subject, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        Volatile.Write(ref _floor, Math.Max(_floor, cutoff));
    }
}
