using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;

namespace Tessera.Server.Admin.Access;

/// <summary>The app id of each tenant's admin API registration: the audience its admin tokens must carry.</summary>
public sealed class AdminApiAudiences(IServiceScopeFactory scopes, IMemoryCache cache)
{
    public async ValueTask<Guid?> ForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var key = "admin-api:" + tenantId.ToString("N");
        if (cache.TryGetValue(key, out Guid? cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        Guid? appId = await db.Applications.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.IdentifierUris.Contains(AdminPermissions.ApiIdentifier))
            .Select(a => (Guid?)a.AppId)
            .FirstOrDefaultAsync(cancellationToken);
        cache.Set(key, appId, TimeSpan.FromMinutes(5));
        return appId;
    }
}
