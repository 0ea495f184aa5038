using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.AspNetCore.Caching;

/// <summary>
/// The identity of one request whose token came from the cache: it reads the cached token's claims in place and copies
/// them only when the request changes them (a claims transformation, an <c>OnTokenValidated</c> handler, the endpoint),
/// so a request that only reads costs no copy and a request that writes never changes what the next one sees.
/// Claims read before a change have the cached identity as <see cref="Claim.Subject"/>; after it, this one.
/// </summary>
internal sealed class SharedClaimsIdentity : CaseSensitiveClaimsIdentity
{
    private readonly CachedToken _cached;
    private bool _copied;

    public SharedClaimsIdentity(CachedToken cached)
        : base(cached.AuthenticationType, cached.NameClaimType, cached.RoleClaimType)
    {
        _cached = cached;
        BootstrapContext = cached.BootstrapContext;
    }

    public override IEnumerable<Claim> Claims => _copied ? base.Claims : _cached.Claims;

    public override void AddClaim(Claim claim)
    {
        Copy();
        base.AddClaim(claim);
    }

    public override void AddClaims(IEnumerable<Claim?> claims)
    {
        Copy();
        base.AddClaims(claims);
    }

    public override void RemoveClaim(Claim? claim)
    {
        var copy = CopyOf(claim);
        base.RemoveClaim(copy);
    }

    public override bool TryRemoveClaim(Claim? claim)
    {
        var copy = CopyOf(claim);
        return base.TryRemoveClaim(copy);
    }

    public override ClaimsIdentity Clone()
    {
        if (_copied)
        {
            return base.Clone();
        }

        return new SharedClaimsIdentity(_cached) { Actor = Actor?.Clone(), BootstrapContext = BootstrapContext, Label = Label };
    }

    /// <summary>Copies the shared claims into this identity, once; answers the copy of <paramref name="claim"/> if it was a shared one.</summary>
    private Claim? CopyOf(Claim? claim)
    {
        var index = !_copied && claim is not null ? _cached.Claims.IndexOf(claim) : -1;
        Copy();
        return index >= 0 ? base.Claims.ElementAt(index) : claim;
    }

    private void Copy()
    {
        if (_copied)
        {
            return;
        }

        _copied = true;
        base.AddClaims(_cached.Claims);
    }
}
