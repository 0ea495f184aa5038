using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.Storage;
using Tessera.Policy.ServicePrincipals;

namespace Tessera.Server.Clients;

/// <summary>
/// What the protocol needs to know about a client beyond OpenIddict's row: its tenant and name, and its service
/// principal's switches (<c>accountEnabled</c>, <c>appRoleAssignmentRequired</c>).
/// </summary>
public sealed record ClientInfo(Guid AppId, Guid TenantId, string DisplayName, bool Enabled, bool AppRoleAssignmentRequired)
{
    public ServicePrincipalState ServicePrincipal => new(AppId, DisplayName, Enabled, AppRoleAssignmentRequired);
}

/// <summary>
/// Looks up application registrations by client id, with a short cache. A change to a service principal evicts its
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
            .Select(a => new ClientInfo(a.AppId, a.TenantId, a.DisplayName, a.ServicePrincipalEnabled, a.AppRoleAssignmentRequired))
            .FirstOrDefaultAsync(cancellationToken);
        cache.Set(key, client, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        return client;
    }

    /// <summary>Drops the cached entry of a client whose registration or service principal changed.</summary>
    public void Forget(Guid appId) => cache.Remove(Key(appId));

    private static string Key(Guid appId) => "client:" + appId.ToString("N");
}
