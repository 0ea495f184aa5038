using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Tessera.Directory.Consent;
using Tessera.Directory.Storage;

namespace Tessera.Server.Consent;

/// <summary>
/// The delegated permission grants (Graph's <c>oAuth2PermissionGrant</c>) as the protocol reads and writes them: what a
/// client may do for one user on each API, from the grants for everyone and the user's own.
/// </summary>
public sealed class PermissionGrants(
    TesseraDbContext db, TimeProvider time, IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations)
{
    /// <summary>The scopes <paramref name="clientId"/> holds for <paramref name="userId"/> on each of <paramref name="resourceIds"/>.</summary>
    public async Task<ConsentedScopes> ForUserAsync(Guid clientId, Guid userId, IReadOnlyCollection<Guid> resourceIds, CancellationToken cancellationToken)
    {
        var rows = await db.OAuth2PermissionGrants.AsNoTracking()
            .Where(g => g.ClientId == clientId && resourceIds.Contains(g.ResourceId) && (g.PrincipalId == userId || g.PrincipalId == Guid.Empty))
            .Select(g => new { g.ResourceId, g.Scope })
            .ToListAsync(cancellationToken);
        return new ConsentedScopes(rows
            .GroupBy(r => r.ResourceId)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlySet<string>)g.SelectMany(r => r.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal)));
    }

    /// <summary>
    /// Gives a multitenant application its service principal in <paramref name="tenantId"/> if it has none there yet:
    /// consent in a tenant is how an application of another tenant enters it. Tracked only: the caller saves.
    /// </summary>
    public async Task EnsureServicePrincipalAsync(Guid tenantId, Guid clientId, CancellationToken cancellationToken)
    {
        var home = await db.Applications.AsNoTracking().Where(a => a.AppId == clientId).Select(a => a.TenantId).FirstAsync(cancellationToken);
        if (home != tenantId &&
            !await db.TenantServicePrincipals.AnyAsync(p => p.TenantId == tenantId && p.AppId == clientId, cancellationToken) &&
            !db.TenantServicePrincipals.Local.Any(p => p.TenantId == tenantId && p.AppId == clientId))
        {
            db.TenantServicePrincipals.Add(new Tessera.Directory.Applications.TenantServicePrincipal
            {
                TenantId = tenantId, AppId = clientId, CreatedDateTime = time.GetUtcNow(),
            });
        }
    }

    /// <summary>
    /// Adds <paramref name="scopes"/> to the grant of <paramref name="clientId"/> on <paramref name="resourceId"/> for
    /// <paramref name="principalId"/> (<see cref="Guid.Empty"/>: everyone), creating the grant if there is none.
    /// Tracked only: the caller saves, with its audit entry.
    /// </summary>
    public async Task<OAuth2PermissionGrant> AddAsync(
        Guid tenantId, Guid clientId, Guid resourceId, Guid principalId, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var grant = await db.OAuth2PermissionGrants.FirstOrDefaultAsync(
            g => g.ClientId == clientId && g.ResourceId == resourceId && g.PrincipalId == principalId, cancellationToken);
        if (grant is null)
        {
            grant = new OAuth2PermissionGrant
            {
                Id = Guid.NewGuid(),
                TenantId = tenantId,
                ClientId = clientId,
                ResourceId = resourceId,
                PrincipalId = principalId,
                ConsentType = principalId == Guid.Empty ? ConsentTypes.AllPrincipals : ConsentTypes.Principal,
                Scope = string.Empty,
                CreatedDateTime = time.GetUtcNow(),
            };
            db.OAuth2PermissionGrants.Add(grant);
        }

        grant.Scope = string.Join(' ', grant.ScopeValues.Union(scopes, StringComparer.Ordinal));
        grant.ConcurrencyStamp = Guid.NewGuid();
        return grant;
    }

    /// <summary>
    /// Ends the sessions that rest on a grant taken back: the OpenIddict authorizations (and so the refresh tokens) of
    /// <paramref name="clientId"/> for <paramref name="userId"/>, or for every user when it is null (a grant for
    /// everyone). Refresh tokens already check the grants at every use; this makes them fail at once, as
    /// <c>invalid_grant</c>, even where other grants would still cover part of what they carry. Call it after the
    /// change has committed.
    /// </summary>
    /// <returns>How many authorizations were revoked.</returns>
    public async Task<long> RevokeSessionsAsync(Guid clientId, Guid? userId, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId.ToString("D"), cancellationToken);
        var applicationId = application is null ? null : await applications.GetIdAsync(application, cancellationToken);
        if (applicationId is null)
        {
            return 0;
        }

        return userId is { } subject
            ? await authorizations.RevokeAsync(subject.ToString("D"), applicationId, status: null, type: null, cancellationToken)
            : await authorizations.RevokeByApplicationIdAsync(applicationId, cancellationToken);
    }
}

/// <summary>The scopes a client holds for a user, per API (by app id).</summary>
public sealed class ConsentedScopes(IReadOnlyDictionary<Guid, IReadOnlySet<string>> byResource)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    public IReadOnlySet<string> On(Guid resourceId) => byResource.GetValueOrDefault(resourceId) ?? None;
}
