using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Caching;
using Tessera.AspNetCore.ContinuousAccess;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>The cache itself: bounded, never past a token's expiry, and an identity of its own for each request.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static JsonWebToken Token(DateTimeOffset expires, string oid = "o1")
        => new(new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["exp"] = expires.ToUnixTimeSeconds(), ["oid"] = oid, ["tid"] = "t1" },
        }));

    [Fact]
    public void Add_BeyondSize_NeverHoldsMore()
    {
        var cache = new ValidatedTokenCache(2, TimeSpan.FromMinutes(5), new ManualClock(Now));
        for (var i = 0; i < 10; i++)
        {
            cache.Add("token" + i, new ClaimsIdentity("test"), Token(Now.AddHours(1)), default);
        }

        Assert.InRange(cache.Count, 0, 2);
    }

    [Fact]
    public void TryGet_UntilExpiryOrMaximumAge_ThenGone()
    {
        var clock = new ManualClock(Now);
        var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), clock);
        cache.Add("short", new ClaimsIdentity("test"), Token(Now.AddMinutes(1)), default);
        cache.Add("long", new ClaimsIdentity("test"), Token(Now.AddHours(1)), default);
        cache.Add("expired", new ClaimsIdentity("test"), Token(Now.AddSeconds(-1)), default);

        Assert.True(cache.TryGet("short", out _));
        Assert.False(cache.TryGet("expired", out _));
        clock.Set(Now.AddMinutes(1));
        Assert.False(cache.TryGet("short", out _));
        Assert.True(cache.TryGet("long", out _));
        clock.Set(Now.AddMinutes(5));
        Assert.False(cache.TryGet("long", out _));
    }

    [Fact]
    public void TryGet_IdentityChangedByARequest_NextRequestGetsTheOriginal()
    {
        var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), new ManualClock(Now));
        cache.Add("k", new ClaimsIdentity([new Claim("scp", "Orders.Read")], "test"), Token(Now.AddHours(1)), default);

        Assert.True(cache.TryGet("k", out var cached));
        var first = cached.NewIdentity();
        first.AddClaim(new Claim("scp", "Orders.ReadWrite"));
        var second = cached.NewIdentity();

        Assert.Equal(2, first.FindAll("scp").Count());
        Assert.Single(second.FindAll("scp"));
    }

    [Fact]
    public void RemoveSubject_OnlyThatSubjectsTokens()
    {
        var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), new ManualClock(Now));
        var tenant = Guid.NewGuid();
        var subject = new Subject(tenant, Guid.NewGuid());
        cache.Add("a", new ClaimsIdentity("test"), Token(Now.AddHours(1)), new TokenFacts(subject, 0, false));
        cache.Add("b", new ClaimsIdentity("test"), Token(Now.AddHours(1)), new TokenFacts(subject, 0, false));
        cache.Add("c", new ClaimsIdentity("test"), Token(Now.AddHours(1)), new TokenFacts(new Subject(tenant, Guid.NewGuid()), 0, false));

        Assert.Equal(2, cache.RemoveSubject(subject));
        Assert.True(cache.TryGet("c", out _));
    }

    [Fact]
    public void NewIdentity_ClaimRemovedOrCloned_TheCachedClaimsStay()
    {
        var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), new ManualClock(Now));
        cache.Add("k", new ClaimsIdentity([new Claim("scp", "Orders.Read"), new Claim("roles", "Admin")], "test", "name", "roles"), Token(Now.AddHours(1)), default);
        Assert.True(cache.TryGet("k", out var cached));

        var identity = cached.NewIdentity();
        var principal = new ClaimsPrincipal(identity);
        Assert.True(principal.IsInRole("Admin"));
        identity.RemoveClaim(identity.FindFirst("roles"));
        var clone = cached.NewIdentity().Clone();
        clone.AddClaim(new Claim("scp", "More"));

        Assert.False(principal.IsInRole("Admin"));
        Assert.True(new ClaimsPrincipal(cached.NewIdentity()).IsInRole("Admin"));
        Assert.Equal(["Orders.Read"], cached.NewIdentity().FindAll("scp").Select(c => c.Value));
        Assert.Equal("test", clone.AuthenticationType);
    }

    [Fact]
    public void TryGet_BySpanOfAHeader_FindsTheToken()
    {
        var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), new ManualClock(Now));
        cache.Add("eyJ.abc.def", new ClaimsIdentity("test"), Token(Now.AddHours(1)), default);

        Assert.True(cache.TryGet("Bearer eyJ.abc.def".AsSpan(7), out var cached));
        Assert.Equal("eyJ.abc.def", cached.Encoded);
        Assert.False(cache.TryGet("Bearer eyJ.abc.deg".AsSpan(7), out _));
    }
}
