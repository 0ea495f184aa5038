using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Caching;
using Tessera.AspNetCore.ContinuousAccess;
using Tessera.AspNetCore.Diagnostics;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore.Configuration;

/// <summary>
/// The token handler of each Tessera API scheme, created once when the scheme's JwtBearer options are first built, and
/// the owner of what they hold (caches, metadata, a backchannel it created).
/// </summary>
internal sealed class TesseraSchemes(
    IOptionsMonitor<TesseraApiOptions> options,
    TimeProvider time,
    TokenMetrics metrics,
    RevocationState revocations,
    ILoggerFactory loggers) : ITesseraTokenCache, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Scheme>> _schemes = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger("Tessera.AspNetCore");
    private int _disposed;

    /// <summary>
    /// The scheme's handler; none while its <see cref="TesseraApiOptions"/> are invalid (start-up validation reports
    /// them, TSR08xx, and a scheme without a handler refuses every token).
    /// </summary>
    public bool TryGetHandler(string scheme, JwtBearerOptions jwtBearer, [NotNullWhen(true)] out TesseraTokenHandler? handler)
    {
        handler = null;
        if (!_schemes.TryGetValue(scheme, out var lazy))
        {
            TesseraApiSettings? settings;
            try
            {
                settings = TesseraApiSettings.Read(scheme, options.Get(scheme), out _);
            }
            catch (OptionsValidationException)
            {
                settings = null;
            }

            if (settings is null)
            {
                return false;
            }

            lazy = _schemes.GetOrAdd(scheme, _ => new Lazy<Scheme>(() => Create(settings, jwtBearer)));
        }

        handler = lazy.Value.Handler;
        return true;
    }

    public bool Evict(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var evicted = false;
        foreach (var scheme in Created())
        {
            evicted |= scheme.Handler.Cache.Remove(token);
        }

        return evicted;
    }

    public int EvictSubject(string tenantId, string objectId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(objectId);
        var evicted = Subject.Of(tenantId, objectId) is { } subject ? Created().Sum(scheme => scheme.Handler.Cache.RemoveSubject(subject)) : 0;
        Log.SubjectEvicted(_logger, evicted, objectId, tenantId);
        return evicted;
    }

    public void Dispose()
    {
        // Registered both as itself and as ITesseraTokenCache: the container may call this twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var scheme in Created())
        {
            scheme.Handler.Dispose();
            scheme.OwnedBackchannel?.Dispose();
        }
    }

    private IEnumerable<Scheme> Created() => _schemes.Values.Where(s => s.IsValueCreated).Select(s => s.Value);

    private Scheme Create(TesseraApiSettings settings, JwtBearerOptions jwtBearer)
    {
        HttpClient? owned = null;
        var backchannel = jwtBearer.Backchannel;
        if (backchannel is null)
        {
            owned = backchannel = new HttpClient(jwtBearer.BackchannelHttpHandler ?? new HttpClientHandler())
            {
                Timeout = jwtBearer.BackchannelTimeout,
                MaxResponseContentBufferSize = 10 * 1024 * 1024,
            };
        }

        var metadata = new TenantMetadata(settings, backchannel, jwtBearer.AutomaticRefreshInterval, jwtBearer.RefreshInterval, _logger);
        var cache = new ValidatedTokenCache(settings.TokenCacheSize, settings.TokenCacheMaxAge, time);
        return new Scheme(new TesseraTokenHandler(settings, metadata, cache, revocations, time, metrics, _logger), owned);
    }

    private sealed record Scheme(TesseraTokenHandler Handler, HttpClient? OwnedBackchannel);
}
