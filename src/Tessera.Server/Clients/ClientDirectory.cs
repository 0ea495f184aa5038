using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.Storage;

namespace Tessera.Server.Clients;

/// <summary>What the protocol needs to know about a client beyond OpenIddict's row: its tenant and name.</summary>
public sealed record ClientInfo(Guid AppId, Guid TenantId, string DisplayName);

/// <summary>Looks up application registrations by client id, with a short cache.</summary>
public sealed class ClientDirectory(IServiceScopeFactory scopes, IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public async ValueTask<ClientInfo?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (!Guid.TryParse(clientId, out var appId))
        {
            return null;
        }

        var key = "client:" + appId.ToString("N");
        if (cache.TryGetValue(key, out ClientInfo? cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var client = await db.Applications.AsNoTracking()
            .Where(a => a.AppId == appId)
            .Select(a => new ClientInfo(a.AppId, a.TenantId, a.DisplayName))
            .FirstOrDefaultAsync(cancellationToken);
        cache.Set(key, client, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        return client;
    }
}
