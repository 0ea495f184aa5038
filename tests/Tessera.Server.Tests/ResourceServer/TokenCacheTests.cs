using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// The validated-token cache: a token presented again is not verified again, until its expiry, the cache's maximum
/// age or an eviction; the whole JwtBearer pipeline (events included) still runs on every request.
/// </summary>
public sealed class TokenCacheTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private static async Task<HttpStatusCode> GetAsync(ProtectedApi api, string token)
    {
        using var response = await api.GetAsync("/me", token);
        return response.StatusCode;
    }

    [Fact]
    public async Task SameToken_FiveTimes_VerifiedOnce()
    {
        await using var api = await fixture.StartApiAsync();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));
        }

        Assert.Equal(1, api.Validations.Validated);
        Assert.Equal(4, api.Validations.Cached);
    }

    [Fact]
    public async Task CachedToken_PastExpiry_Refused()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var api = await fixture.StartApiAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        var claims = fixture.Forge.AppClaims(fixture.ApiId);
        var expires = DateTimeOffset.UtcNow.AddMinutes(2);
        claims["exp"] = expires.ToUnixTimeSeconds();
        var token = fixture.Forge.SignedByServer(claims);

        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, token));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, token));
        Assert.Equal(1, api.Validations.Cached);

        clock.Set(expires.AddSeconds(10));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, token)); // within the 30 s skew: verified again, not cached
        clock.Set(expires.AddSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(api, token));

        Assert.Equal(1, api.Validations.Cached);
        Assert.Equal(2, api.Validations.Validated);
        Assert.True(api.Logs.Contains("TSR2810"), api.Logs.Dump());
    }

    [Fact]
    public async Task CachedToken_PastMaximumAge_VerifiedAgain()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var api = await fixture.StartApiAsync(o => o.TokenCacheMaxAge = TimeSpan.FromMinutes(1), s => s.AddSingleton<TimeProvider>(clock));

        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));
        clock.Set(clock.GetUtcNow().AddSeconds(59));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));
        clock.Set(clock.GetUtcNow().AddSeconds(2));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));

        Assert.Equal(1, api.Validations.Cached);
        Assert.Equal(2, api.Validations.Validated);
    }

    [Fact]
    public async Task Evict_TokenAndSubject_NextRequestVerifiedAgain()
    {
        await using var api = await fixture.StartApiAsync();
        var cache = api.Services.GetRequiredService<ITesseraTokenCache>();
        var user = fixture.UserTokens.Access;

        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.UserTokens.AccessToken));
        Assert.True(cache.Evict(fixture.AppToken));
        Assert.False(cache.Evict(fixture.AppToken));
        Assert.Equal(1, cache.EvictSubject(user.GetClaim("tid").Value, user.GetClaim("oid").Value));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.UserTokens.AccessToken));

        Assert.Equal(0, api.Validations.Cached);
        Assert.Equal(4, api.Validations.Validated);
    }

    [Fact]
    public async Task CacheOff_EveryRequestVerified()
    {
        await using var api = await fixture.StartApiAsync(o => o.TokenCacheSize = 0);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(api, fixture.AppToken));
        }

        Assert.Equal(3, api.Validations.Validated);
        Assert.Equal(0, api.Validations.Cached);
    }

    [Fact]
    public async Task RefusedToken_NeverCached()
    {
        await using var api = await fixture.StartApiAsync();
        var token = fixture.Forge.SignedByServer(fixture.Forge.AppClaims(Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(api, token));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(api, token));

        Assert.Equal(2, api.Validations.Refused);
        Assert.Equal(0, api.Validations.Cached);
    }
}
