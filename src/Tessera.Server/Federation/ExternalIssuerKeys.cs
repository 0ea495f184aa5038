using System.Collections.Concurrent;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Tessera.Policy.Registrations;

namespace Tessera.Server.Federation;

/// <summary>The signing keys an external issuer publishes, and when they were read.</summary>
public sealed record ExternalIssuerKeySet(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt);

/// <summary>An external issuer's discovery document or key set could not be used; the reason is safe to show.</summary>
public sealed class ExternalIssuerException(string reason) : Exception(reason);

/// <summary>
/// The keys of external issuers that federated identity credentials trust: read from the issuer's discovery document
/// and its <c>jwks_uri</c> (HTTPS; plain HTTP only for loopback issuers), kept for <see cref="Lifetime"/>, and read again
/// at once when a token names a key not in the set, at most every <see cref="ShortestRefetch"/> per issuer.
/// </summary>
/// <remarks>
/// IdentityModel's <c>ConfigurationManager</c> refreshes in the background after a request for it, so the request that
/// meets an issuer's new key would fail; here the refetch happens in line and the same request is served.
/// Only issuers named by a stored credential are ever asked (the caller matches the issuer first), so a token cannot
/// make the server fetch an address of its choosing.
/// </remarks>
public sealed partial class ExternalIssuerKeys(IHttpClientFactory clients, TimeProvider time, ILogger<ExternalIssuerKeys> logger)
{
    public const string HttpClientName = "tessera-federation";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan ShortestRefetch = TimeSpan.FromSeconds(30);
    private const int LargestDocument = 512 * 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ExternalIssuerKeySet? Keys { get; set; }
        public DateTimeOffset LastAttempt { get; set; } = DateTimeOffset.MinValue;
        public string? LastFailure { get; set; }
    }

    /// <summary>
    /// The issuer's keys: cached ones while fresh; read again when stale, or when <paramref name="unknownKey"/> says a
    /// token named a key the cached set lacks and the last read is older than <see cref="ShortestRefetch"/>.
    /// </summary>
    /// <exception cref="ExternalIssuerException">The issuer could not be read and no keys are cached.</exception>
    public async Task<ExternalIssuerKeySet> GetAsync(string issuer, bool unknownKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        var entry = _entries.GetOrAdd(issuer, static _ => new Entry());
        if (entry.Keys is { } fresh && !NeedsFetch(entry, fresh, unknownKey))
        {
            return fresh;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            // Another request may have read the set while this one waited.
            if (entry.Keys is { } current && !NeedsFetch(entry, current, unknownKey))
            {
                return current;
            }

            if (time.GetUtcNow() - entry.LastAttempt < ShortestRefetch)
            {
                return entry.Keys ?? throw new ExternalIssuerException(entry.LastFailure ?? "read moments ago");
            }

            entry.LastAttempt = time.GetUtcNow();
            try
            {
                entry.Keys = await FetchAsync(issuer, cancellationToken);
                entry.LastFailure = null;
            }
            catch (ExternalIssuerException exception)
            {
                entry.LastFailure = exception.Message;
                Log.IssuerUnreadable(logger, issuer, exception.Message);
                if (entry.Keys is null)
                {
                    throw;
                }
            }

            return entry.Keys;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private bool NeedsFetch(Entry entry, ExternalIssuerKeySet keys, bool unknownKey)
    {
        var now = time.GetUtcNow();
        return now - keys.FetchedAt >= Lifetime || (unknownKey && now - entry.LastAttempt >= ShortestRefetch);
    }

    private async Task<ExternalIssuerKeySet> FetchAsync(string issuer, CancellationToken cancellationToken)
    {
        var discovery = await ReadAsync(new Uri(issuer.TrimEnd('/') + "/.well-known/openid-configuration", UriKind.Absolute), cancellationToken);
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = OpenIdConnectConfiguration.Create(discovery);
        }
        catch (ArgumentException)
        {
            throw new ExternalIssuerException("the discovery document is not JSON");
        }

        if (!string.Equals(configuration.Issuer, issuer, StringComparison.Ordinal))
        {
            throw new ExternalIssuerException("the discovery document names another issuer");
        }

        if (!Uri.TryCreate(configuration.JwksUri, UriKind.Absolute, out var jwksUri))
        {
            throw new ExternalIssuerException("the discovery document has no absolute jwks_uri");
        }

        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(await ReadAsync(jwksUri, cancellationToken));
        }
        catch (ArgumentException)
        {
            throw new ExternalIssuerException("the key set is not a JSON Web Key Set");
        }

        // Only public keys of asymmetric algorithms verify federated tokens; a shared key in a published set is ignored.
        var keys = set.Keys
            .Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
            .Where(k => string.IsNullOrEmpty(k.Use) || k.Use == JsonWebKeyUseNames.Sig)
            .Cast<SecurityKey>()
            .ToList();
        return new ExternalIssuerKeySet(keys, time.GetUtcNow());
    }

    private async Task<string> ReadAsync(Uri address, CancellationToken cancellationToken)
    {
        if (!(address.Scheme == Uri.UriSchemeHttps || (address.Scheme == Uri.UriSchemeHttp && RegistrationRules.IsLoopback(address))))
        {
            throw new ExternalIssuerException($"{address.Scheme} is not allowed for {address.Host}; use HTTPS");
        }

        try
        {
            using var http = clients.CreateClient(HttpClientName);
            using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ExternalIssuerException($"{address.AbsolutePath} answered {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > LargestDocument)
            {
                throw new ExternalIssuerException($"{address.AbsolutePath} is larger than {LargestDocument} bytes");
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return body.Length <= LargestDocument ? body : throw new ExternalIssuerException($"{address.AbsolutePath} is larger than {LargestDocument} bytes");
        }
        catch (HttpRequestException exception)
        {
            throw new ExternalIssuerException($"{address.Host} could not be reached: {exception.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExternalIssuerException($"{address.Host} did not answer in time");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8190, Level = LogLevel.Warning, Message = "TSR8190: the discovery document or key set of the external issuer {Issuer} could not be read: {Reason}")]
        public static partial void IssuerUnreadable(ILogger logger, string issuer, string reason);
    }
}
