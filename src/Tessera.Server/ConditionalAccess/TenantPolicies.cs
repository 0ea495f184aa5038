using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tessera.Directory.ConditionalAccess;
using Tessera.Directory.Protection;
using Tessera.Directory.Storage;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.SignIns;

namespace Tessera.Server.ConditionalAccess;

/// <summary>A tenant's Conditional Access as the engine takes it, at one version.</summary>
public sealed record TenantConditionalAccess(
    Guid Version,
    IReadOnlyList<ConditionalAccessPolicy> Policies,
    IReadOnlyList<NamedLocation> Locations,
    IReadOnlySet<string> AvailableAuthenticationContexts)
{
    /// <summary>Whether a policy has a sign-in or user risk condition, so that a sign-in's risk must be read.</summary>
    public bool UsesRisk { get; } = Policies.Any(p => p.SignInRiskLevels.Count > 0 || p.UserRiskLevels.Count > 0);

    /// <summary>Evaluates every policy of the tenant for <paramref name="signIn"/>.</summary>
    public ConditionalAccessDecision Evaluate(SignInConditions signIn)
        => ConditionalAccessEngine.Evaluate(Policies, Locations, AvailableAuthenticationContexts, signIn);
}

/// <summary>
/// The seam for enforcement: a tenant's parsed policies, named locations and available authentication contexts, and
/// the directory facts (groups, admin role templates) a user's sign-in is evaluated with.
/// </summary>
/// <remarks>
/// Cached per tenant and keyed by the tenant's <c>ConditionalAccessVersion</c>, which every admin write moves in the
/// same transaction. Each call reads only that one column of the tenant's row (a primary-key lookup) and reparses
/// only when it changed, so a change made through any server process applies at the next sign-in everywhere, with no
/// lifetime to wait out and no messages between processes. The price is one small query per evaluation.
/// </remarks>
public sealed class TenantPolicies(IServiceScopeFactory scopes, IMemoryCache cache)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);

    /// <summary>The tenant's Conditional Access, current as of this call.</summary>
    public async Task<TenantConditionalAccess> ForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        return await ForTenantAsync(db, tenantId, cancellationToken);
    }

    /// <summary>The same, on a context the caller already has (one query when the cached copy is current).</summary>
    public async Task<TenantConditionalAccess> ForTenantAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var version = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => (Guid?)t.ConditionalAccessVersion)
            .FirstOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return new TenantConditionalAccess(Guid.Empty, [], [], new HashSet<string>(StringComparer.Ordinal));
        }

        var key = "conditional-access:" + tenantId.ToString("N");
        if (cache.TryGetValue(key, out TenantConditionalAccess? cached) && cached!.Version == version)
        {
            return cached;
        }

        var loaded = await LoadAsync(db, tenantId, version.Value, cancellationToken);
        cache.Set(key, loaded, new MemoryCacheEntryOptions { SlidingExpiration = Idle });
        return loaded;
    }

    /// <summary>
    /// <paramref name="signIn"/> with the user's groups (direct memberships) and admin role template ids read from the
    /// directory; a workload sign-in (no user) is returned as it is.
    /// </summary>
    public static async Task<SignInConditions> WithDirectoryAsync(TesseraDbContext db, Guid tenantId, SignInConditions signIn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(signIn);
        if (signIn.UserId is not { } userId)
        {
            return signIn;
        }

        var groups = await db.GroupMembers.AsNoTracking()
            .Where(m => m.MemberId == userId)
            .Join(db.Groups.Where(g => g.TenantId == tenantId), m => m.GroupId, g => g.Id, (m, g) => g.Id)
            .ToListAsync(cancellationToken);
        var roles = await db.DirectoryRoleAssignments.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.PrincipalId == userId)
            .Select(a => a.RoleDefinitionId)
            .ToListAsync(cancellationToken);
        return signIn with { GroupIds = groups.ToHashSet(), RoleTemplateIds = roles.ToHashSet() };
    }

    /// <summary>
    /// <paramref name="signIn"/> with its risks read from the tenant's risk detections: the user risk from the detections
    /// about the user, the sign-in risk from the spray detections (younger than <paramref name="sprayPeriod"/>) about the
    /// network the sign-in comes from.
    /// </summary>
    public static async Task<SignInConditions> WithRiskAsync(TesseraDbContext db, Guid tenantId, SignInConditions signIn, TimeSpan sprayPeriod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(signIn);
        var source = SignInSources.Of(signIn.IpAddress);
        var since = signIn.Now - sprayPeriod;
        var detections = await db.RiskDetections.AsNoTracking()
            .Where(r => r.TenantId == tenantId && RiskStates.Active.Contains(r.RiskState) &&
                        ((signIn.UserId != null && r.UserId == signIn.UserId) ||
                         (source != "" && r.UserId == null && r.SourcePrefix == source && r.DetectedDateTime >= since)))
            .Select(r => new { r.UserId, Risk = new DetectedRisk(r.RiskLevel, r.RiskState, r.RiskEventType, r.LastUpdatedDateTime) })
            .ToListAsync(cancellationToken);
        return signIn with
        {
            UserRisk = UserRisk.Level(detections.Where(d => d.UserId != null).Select(d => d.Risk)),
            SignInRisk = UserRisk.Level(detections.Where(d => d.UserId == null).Select(d => d.Risk)),
        };
    }

    /// <summary>Reads the stored policies back into the engine's records.</summary>
    /// <exception cref="InvalidOperationException">A stored policy no longer reads: failing closed beats skipping a block.</exception>
    public static IReadOnlyList<ConditionalAccessPolicy> Parse(IEnumerable<ConditionalAccessPolicyEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var policies = new List<ConditionalAccessPolicy>();
        foreach (var entry in entries.OrderBy(e => e.CreatedDateTime).ThenBy(e => e.Id))
        {
            var (policy, error) = ConditionalAccessDocuments.Read(JsonNode.Parse(entry.Document)!.AsObject(), entry.Id);
            policies.Add(policy ?? throw new InvalidOperationException($"The stored Conditional Access policy {entry.Id:D} no longer reads: {error!.Description}"));
        }

        return policies;
    }

    public static NamedLocation ToNamedLocation(IpNamedLocationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new NamedLocation(entry.Id, entry.DisplayName, entry.IsTrusted, [.. entry.IpRanges.Select(r => IPNetwork.Parse(r))]);
    }

    private static async Task<TenantConditionalAccess> LoadAsync(TesseraDbContext db, Guid tenantId, Guid version, CancellationToken cancellationToken)
    {
        var entries = await db.ConditionalAccessPolicies.AsNoTracking().Where(p => p.TenantId == tenantId).ToListAsync(cancellationToken);
        var locations = await db.IpNamedLocations.AsNoTracking().Where(l => l.TenantId == tenantId).ToListAsync(cancellationToken);
        var contexts = await db.AuthenticationContexts.AsNoTracking().Where(c => c.TenantId == tenantId && c.IsAvailable).Select(c => c.Id).ToListAsync(cancellationToken);
        return new TenantConditionalAccess(version, Parse(entries), [.. locations.Select(ToNamedLocation)], contexts.ToHashSet(StringComparer.Ordinal));
    }
}
