using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.ServicePrincipals;

namespace Tessera.Server.Clients;

/// <summary>
/// What the protocol needs to know about a client beyond OpenIddict's row, as one tenant sees it: the tenant, the
/// name, and the service principal's switches there (<c>accountEnabled</c>, <c>appRoleAssignmentRequired</c>).
/// </summary>
/// <param name="TenantId">The tenant this view is for: the home tenant, or one a multitenant application is used in.</param>
/// <param name="Multitenant">Registered for other organisations too (<c>AzureADMultipleOrgs</c>).</param>
/// <param name="Present">
/// It has a service principal in <paramref name="TenantId"/>. Always true at home; elsewhere only after consent there.
/// </param>
public sealed record ClientInfo(
    Guid AppId, Guid TenantId, string DisplayName, bool Enabled, bool AppRoleAssignmentRequired, bool Multitenant = false, bool Present = true)
{
    public ServicePrincipalState ServicePrincipal => new(AppId, DisplayName, Enabled, AppRoleAssignmentRequired);

    /// <summary>The registration's mobile and desktop redirect URIs (Graph's <c>publicClient.redirectUris</c>).</summary>
    public IReadOnlyList<string> NativeRedirectUris { get; init; } = [];

    /// <summary>It must authenticate over mutual TLS with one of its certificates (<c>tlsClientCertificateBoundAccessTokens</c>).</summary>
    public bool CertificateBoundTokens { get; init; }
}

/// <summary>
/// Looks up application registrations by client id, and a multitenant application's service principal in another
/// tenant, with a short cache. A change to a service principal evicts its
/// entry on the node that made it (<see cref="Forget"/>); other nodes see it when their entry expires, within
/// <see cref="Lifetime"/>.
/// </summary>
public sealed class ClientDirectory(IServiceScopeFactory scopes, IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public async ValueTask<ClientInfo?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (!Guid.TryParse(clientId, out var appId))
        {
            return null;
        }

        var key = Key(appId);
        if (cache.TryGetValue(key, out ClientInfo? cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var client = await db.Applications.AsNoTracking()
            .Where(a => a.AppId == appId)
            .Select(a => new ClientInfo(a.AppId, a.TenantId, a.DisplayName, a.ServicePrincipalEnabled, a.AppRoleAssignmentRequired,
                a.SignInAudience == SignInAudiences.MultiTenant) { NativeRedirectUris = a.PublicClientRedirectUris, CertificateBoundTokens = a.TlsClientCertificateBoundAccessTokens })
            .FirstOrDefaultAsync(cancellationToken);
        cache.Set(key, client, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        return client;
    }

    /// <summary>
    /// The client as <paramref name="tenantId"/> sees it: its home registration there; a multitenant application
    /// elsewhere, with its service principal's switches in that tenant (not <see cref="ClientInfo.Present"/> before
    /// consent there); null for an unknown client or a single-tenant application of another tenant.
    /// </summary>
    public async ValueTask<ClientInfo?> FindInAsync(string clientId, Guid tenantId, CancellationToken cancellationToken)
    {
        var home = await FindAsync(clientId, cancellationToken);
        if (home is null || home.TenantId == tenantId)
        {
            return home;
        }

        if (!home.Multitenant)
        {
            return null;
        }

        var key = Key(home.AppId, tenantId);
        if (!cache.TryGetValue(key, out TenantServicePrincipal? principal))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
            principal = await db.TenantServicePrincipals.AsNoTracking()
                .FirstOrDefaultAsync(p => p.TenantId == tenantId && p.AppId == home.AppId, cancellationToken);
            if (principal is not null)
            {
                // Absence is not cached: consent on any node adds the service principal, and it must count at once.
                cache.Set(key, principal, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
            }
        }

        return home with
        {
            TenantId = tenantId,
            Enabled = home.Enabled && principal?.AccountEnabled != false,
            AppRoleAssignmentRequired = principal?.AppRoleAssignmentRequired == true,
            Present = principal is not null,
        };
    }

    /// <summary>Drops the cached entry of a client whose registration or service principal changed.</summary>
    public void Forget(Guid appId) => cache.Remove(Key(appId));

    /// <summary>Drops the cached service principal of a multitenant client in another tenant.</summary>
    public void Forget(Guid appId, Guid tenantId) => cache.Remove(Key(appId, tenantId));

    private static string Key(Guid appId) => "client:" + appId.ToString("N");

    private static string Key(Guid appId, Guid tenantId) => $"client:{appId:N}:{tenantId:N}";
}
