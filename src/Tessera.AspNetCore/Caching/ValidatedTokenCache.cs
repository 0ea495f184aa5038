using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.ContinuousAccess;

namespace Tessera.AspNetCore.Caching;

/// <summary>
/// Tokens one scheme has verified in full, keyed by the token as presented (ordinal), each remembered until its
/// <c>exp</c> and never longer than the maximum age. Bounded: past the size, new tokens are simply verified every time
/// until older ones expire. Only accepted tokens are stored, so a flood of bad tokens cannot fill it.
/// </summary>
internal sealed class ValidatedTokenCache
{
    // Expired entries are dropped when looked up, and all of them at most this often when a token is added.
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(TokenComparer.Instance);
    private readonly ConcurrentDictionary<string, CachedToken>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly int _size;
    private readonly TimeSpan _maximumAge;
    private readonly TimeProvider _time;
    private readonly Lock _sweeping = new();
    private int _count;
    private DateTimeOffset _nextSweep;

    public ValidatedTokenCache(int size, TimeSpan maximumAge, TimeProvider time)
    {
        _bySpan = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
        _size = size;
        _maximumAge = maximumAge;
        _time = time;
        _nextSweep = time.GetUtcNow() + SweepInterval;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>A token verified before and not yet expired.</summary>
    public bool TryGet(ReadOnlySpan<char> token, [NotNullWhen(true)] out CachedToken? cached)
    {
        if (_size > 0 && _bySpan.TryGetValue(token, out cached))
        {
            if (_time.GetUtcNow() < cached.NotAfter)
            {
                return true;
            }

            Remove(cached.Encoded);
        }

        cached = null;
        return false;
    }

    public void Add(string token, ClaimsIdentity identity, SecurityToken validated, TokenFacts facts)
    {
        if (_size <= 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc));
        var notAfter = expires < now + _maximumAge ? expires : now + _maximumAge;
        if (notAfter <= now)
        {
            return;
        }

        SweepIfDue(now);
        if (Count >= _size)
        {
            return;
        }

        // The entry keeps a copy of the claims: what OnTokenValidated adds to the request's identity stays with that request.
        if (_tokens.TryAdd(token, new CachedToken(token, identity, validated, notAfter, facts)))
        {
            Interlocked.Increment(ref _count);
        }
    }

    public bool Remove(string token)
    {
        if (!_tokens.TryRemove(token, out _))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    public int RemoveSubject(Subject subject)
    {
        var removed = 0;
        foreach (var (token, cached) in _tokens)
        {
            if (cached.Facts.Subject == subject && Remove(token))
            {
                removed++;
            }
        }

        return removed;
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        if (now < _nextSweep || !_sweeping.TryEnter())
        {
            return;
        }

        try
        {
            _nextSweep = now + SweepInterval;
            foreach (var (token, cached) in _tokens)
            {
                if (now >= cached.NotAfter)
                {
                    Remove(token);
                }
            }
        }
        finally
        {
            _sweeping.Exit();
        }
    }
}
