using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Caching;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>The cache itself: bounded, never past a token's expiry, and a copy of the identity for each request.</summary>
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
        using var cache = new ValidatedTokenCache(2, TimeSpan.FromMinutes(5), new ManualClock(Now));
        for (var i = 0; i < 10; i++)
        {
            cache.Add(ValidatedTokenCache.KeyOf("token" + i), new ClaimsIdentity("test"), Token(Now.AddHours(1)), "t1", "o" + i);
        }

        Assert.InRange(cache.Count, 0, 2);
    }

    [Fact]
    public void TryGet_UntilExpiryOrMaximumAge_ThenGone()
    {
        var clock = new ManualClock(Now);
        using var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), clock);
        cache.Add("short", new ClaimsIdentity("test"), Token(Now.AddMinutes(1)), "t1", "o1");
        cache.Add("long", new ClaimsIdentity("test"), Token(Now.AddHours(1)), "t1", "o2");
        cache.Add("expired", new ClaimsIdentity("test"), Token(Now.AddSeconds(-1)), "t1", "o3");

        Assert.True(cache.TryGet("short", out _, out _));
        Assert.False(cache.TryGet("expired", out _, out _));
        clock.Set(Now.AddMinutes(1));
        Assert.False(cache.TryGet("short", out _, out _));
        Assert.True(cache.TryGet("long", out _, out _));
        clock.Set(Now.AddMinutes(5));
        Assert.False(cache.TryGet("long", out _, out _));
    }

    [Fact]
    public void TryGet_IdentityChangedByARequest_NextRequestGetsTheOriginal()
    {
        using var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), new ManualClock(Now));
        cache.Add("k", new ClaimsIdentity([new Claim("scp", "Orders.Read")], "test"), Token(Now.AddHours(1)), "t1", "o1");

        Assert.True(cache.TryGet("k", out var first, out _));
        first.AddClaim(new Claim("scp", "Orders.ReadWrite"));
        Assert.True(cache.TryGet("k", out var second, out _));

        Assert.Single(second.FindAll("scp"));
    }

    [Fact]
    public void RemoveSubject_OnlyThatSubjectsTokens()
    {
        using var cache = new ValidatedTokenCache(10, TimeSpan.FromMinutes(5), new ManualClock(Now));
        cache.Add("a", new ClaimsIdentity("test"), Token(Now.AddHours(1)), "t1", "o1");
        cache.Add("b", new ClaimsIdentity("test"), Token(Now.AddHours(1)), "t1", "o1");
        cache.Add("c", new ClaimsIdentity("test"), Token(Now.AddHours(1)), "t1", "o2");

        Assert.Equal(2, cache.RemoveSubject("t1", "o1"));
        Assert.True(cache.TryGet("c", out _, out _));
    }
}
