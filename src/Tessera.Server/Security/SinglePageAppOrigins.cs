using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;

namespace Tessera.Server.Security;

/// <summary>
/// The browser origins that may read Tessera's protocol responses: the origins (scheme, host, port) of redirect URIs
/// registered on the single-page-app platform (Graph's <c>spa.redirectUris</c>). Web and native redirect URIs never
/// count: their clients redeem codes from a server or an app, not from a page.
/// </summary>
/// <remarks>
/// Only an origin found is cached (for <see cref="Lifetime"/>): a redirect URI just registered counts at once; one
/// removed stops counting within <see cref="Lifetime"/>. Only cross-origin browser requests ask, so server-side
/// clients never pay for the lookup.
/// </remarks>
public sealed class SinglePageAppOrigins(IServiceScopeFactory scopes, IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether <paramref name="origin"/> is the origin of a single-page app that may use <paramref name="tenantId"/>:
    /// one registered in that tenant, or a multitenant one (it may be used in any tenant once consented to, and
    /// needs the tenant's metadata to get that far).
    /// </summary>
    public async ValueTask<bool> IsRegisteredForTenantAsync(Guid tenantId, string origin, CancellationToken cancellationToken)
    {
        if (Normalize(origin) is not { } normalized)
        {
            return false;
        }

        var key = $"spa-origin:{tenantId:N}:{normalized}";
        if (cache.TryGetValue(key, out _))
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var lists = await db.Applications.AsNoTracking()
            .Where(a => a.TenantId == tenantId || a.SignInAudience == SignInAudiences.MultiTenant)
            .Where(a => a.SpaRedirectUris.Count > 0)
            .Select(a => a.SpaRedirectUris)
            .ToListAsync(cancellationToken);
        return Remember(key, lists.Any(uris => Contains(uris, normalized)));
    }

    /// <summary>Whether <paramref name="origin"/> is the origin of one of this client's single-page-app redirect URIs.</summary>
    public async ValueTask<bool> IsRegisteredForClientAsync(string clientId, string origin, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(clientId, out var appId) || Normalize(origin) is not { } normalized)
        {
            return false;
        }

        var key = $"spa-origin:client:{appId:N}:{normalized}";
        if (cache.TryGetValue(key, out _))
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var uris = await db.Applications.AsNoTracking()
            .Where(a => a.AppId == appId)
            .Select(a => a.SpaRedirectUris)
            .FirstOrDefaultAsync(cancellationToken);
        return Remember(key, uris is not null && Contains(uris, normalized));
    }

    /// <summary>
    /// <c>scheme://host[:port]</c> as browsers serialise an origin (lower case, default port left out), or null for
    /// anything that is not an http(s) origin (<c>null</c>, a path, credentials).
    /// </summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrEmpty(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }

    private static bool Contains(IEnumerable<string> redirectUris, string origin)
        => redirectUris.Any(uri => string.Equals(Normalize(uri), origin, StringComparison.OrdinalIgnoreCase));

    private bool Remember(string key, bool found)
    {
        if (found)
        {
            cache.Set(key, true, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        }

        return found;
    }
}
