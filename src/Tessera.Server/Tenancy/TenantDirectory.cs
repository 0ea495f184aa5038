using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.Storage;

namespace Tessera.Server.Tenancy;

/// <summary>
/// Finds a tenant by id or by one of its domain names. Answers are cached briefly: long enough to keep the
/// database off the hot path, short enough that a tenant created on another node is found within seconds.
/// </summary>
public sealed class TenantDirectory(IServiceScopeFactory scopes, IMemoryCache cache)
{
    private static readonly TimeSpan Found = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan NotFound = TimeSpan.FromSeconds(5);

    public async ValueTask<TenantInfo?> FindAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var key = "tenant:" + reference.ToLowerInvariant();
        if (cache.TryGetValue(key, out TenantInfo? cached))
        {
            return cached;
        }

        var tenant = await LoadAsync(reference.ToLowerInvariant(), cancellationToken);
        cache.Set(key, tenant, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = tenant is null ? NotFound : Found, Size = 1 });
        return tenant;
    }

    private async Task<TenantInfo?> LoadAsync(string reference, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        Guid tenantId;
        if (!Guid.TryParseExact(reference, "D", out tenantId))
        {
            // Only a verified domain speaks for a tenant: anyone can add an unverified name.
            var domain = await db.TenantDomains.AsNoTracking().FirstOrDefaultAsync(d => d.Name == reference && d.IsVerified, cancellationToken);
            if (domain is null)
            {
                return null;
            }

            tenantId = domain.TenantId;
        }

        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Domains).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var defaultDomain = tenant.Domains.FirstOrDefault(d => d.IsDefault)?.Name ?? tenant.Domains.FirstOrDefault()?.Name ?? tenant.Id.ToString("D");
        return new TenantInfo(tenant.Id, tenant.DisplayName, defaultDomain);
    }
}
