using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.AspNetCore.Caching;

/// <summary>
/// Tokens one scheme has verified in full, keyed by the token as presented (ordinal), each remembered until its
/// <c>exp</c> and never longer than the maximum age. Bounded: past the size, new tokens are simply verified every time
/// until older ones expire. Only accepted tokens are stored, so a flood of bad tokens cannot fill it.
/// </summary>
internal sealed class ValidatedTokenCache : IDisposable
{
    private readonly MemoryCache? _cache;
    private readonly TimeSpan _maximumAge;
    private readonly TimeProvider _time;

    public ValidatedTokenCache(int size, TimeSpan maximumAge, TimeProvider time)
    {
        _cache = size > 0 ? new MemoryCache(new MemoryCacheOptions { SizeLimit = size }) : null;
        _maximumAge = maximumAge;
        _time = time;
    }

    public int Count => _cache?.Count ?? 0;

    /// <summary>The identity of a token verified before and not yet expired, as a copy the request may change.</summary>
    public bool TryGet(string key, out ClaimsIdentity identity, out SecurityToken token)
    {
        if (_cache is not null && _cache.TryGetValue(key, out CachedToken? cached) && cached is not null)
        {
            if (_time.GetUtcNow() < cached.NotAfter)
            {
                identity = cached.Identity.Clone();
                token = cached.Token;
                return true;
            }

            _cache.Remove(key);
        }

        identity = null!;
        token = null!;
        return false;
    }

    public void Add(string key, ClaimsIdentity identity, SecurityToken token, string? tenantId, string? objectId)
    {
        if (_cache is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var expires = new DateTimeOffset(DateTime.SpecifyKind(token.ValidTo, DateTimeKind.Utc));
        var notAfter = expires < now + _maximumAge ? expires : now + _maximumAge;
        if (notAfter <= now)
        {
            return;
        }

        // A copy, so that what OnTokenValidated adds to the request's identity stays with that request.
        _cache.Set(key, new CachedToken(identity.Clone(), token, notAfter, tenantId, objectId),
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = notAfter - now });
    }

    public bool Remove(string key)
    {
        if (_cache is null || !_cache.TryGetValue(key, out _))
        {
            return false;
        }

        _cache.Remove(key);
        return true;
    }

    public int RemoveSubject(string tenantId, string objectId)
    {
        if (_cache is null)
        {
            return 0;
        }

        var removed = 0;
        foreach (var key in _cache.Keys)
        {
            if (_cache.TryGetValue(key, out CachedToken? cached) && cached is not null &&
                string.Equals(cached.ObjectId, objectId, StringComparison.OrdinalIgnoreCase) &&
                string.Equals(cached.TenantId, tenantId, StringComparison.OrdinalIgnoreCase))
            {
                _cache.Remove(key);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// The cache key of a token: the token itself, so a hit needs the whole token, character for character. The string
    /// is the one the cached token keeps anyway (no memory added), and the dictionary's randomized string hash costs far
    /// less than the SHA-256 of it did (bench/README.md).
    /// </summary>
    public static string KeyOf(string token) => token;

    public void Dispose() => _cache?.Dispose();

    private sealed record CachedToken(ClaimsIdentity Identity, SecurityToken Token, DateTimeOffset NotAfter, string? TenantId, string? ObjectId);
}
