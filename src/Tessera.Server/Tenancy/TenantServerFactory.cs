using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Tessera.Server.Hosting;

namespace Tessera.Server.Tenancy;

/// <summary>
/// Gives each OpenIddict transaction the issuer of the request's tenant, <c>{origin}/{tenantId}/v2.0</c>.
/// OpenIddict reads the issuer from its options in every step (discovery, token <c>iss</c>, RFC 9207 <c>iss</c>,
/// validation of tokens that come back), so the transaction gets a shallow copy of the options with only the issuer
/// changed. Copies are cached per issuer; everything else stays shared with the original options.
/// </summary>
public sealed class TenantServerFactory(
    IHttpContextAccessor accessor,
    IOptionsMonitor<OpenIddictServerOptions> serverOptions,
    IOptions<TesseraOptions> tesseraOptions,
    ILogger<OpenIddictServerDispatcher> logger) : IOpenIddictServerFactory
{
    private const int MaximumCachedIssuers = 10_000;

    private static readonly Func<object, object> ShallowCopy = typeof(object)
        .GetMethod(nameof(MemberwiseClone), BindingFlags.Instance | BindingFlags.NonPublic)!
        .CreateDelegate<Func<object, object>>();

    private static readonly ConditionalWeakTable<OpenIddictServerOptions, ConcurrentDictionary<string, OpenIddictServerOptions>> Copies = new();

    public ValueTask<OpenIddictServerTransaction> CreateTransactionAsync()
    {
        var options = serverOptions.CurrentValue;
        if (accessor.HttpContext is { } http && http.GetTenant() is { } tenant)
        {
            options = ForIssuer(options, tenant.IssuerFor(PublicOrigin(http)));
        }

        return ValueTask.FromResult(new OpenIddictServerTransaction { Logger = logger, Options = options });
    }

    /// <summary>The origin clients use: the configured public origin, else this request's scheme and host.</summary>
    public string PublicOrigin(HttpContext http) => PublicOrigin(http, tesseraOptions.Value);

    /// <inheritdoc cref="PublicOrigin(HttpContext)"/>
    public static string PublicOrigin(HttpContext http, TesseraOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.PublicOrigin)
            ? $"{http.Request.Scheme}://{http.Request.Host.Value}"
            : options.PublicOrigin.TrimEnd('/');
    }

    private static OpenIddictServerOptions ForIssuer(OpenIddictServerOptions original, string issuer)
    {
        var copies = Copies.GetOrCreateValue(original);
        if (copies.TryGetValue(issuer, out var copy))
        {
            return copy;
        }

        // The Host header is chosen by the caller: bound the cache so that made-up hosts cannot grow it forever.
        if (copies.Count >= MaximumCachedIssuers)
        {
            copies.Clear();
        }

        copy = (OpenIddictServerOptions)ShallowCopy(original);
        copy.Issuer = new Uri(issuer, UriKind.Absolute);
        return copies.GetOrAdd(issuer, copy);
    }
}
