using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Protection;

/// <summary>A server with the real rate limits and spray detection of a fresh install.</summary>
public sealed class RealLimitsServerFixture : TesseraServerFixture
{
    protected override bool RealSignInProtection => true;
}

/// <summary>
/// Rate limits with the defaults a fresh install runs: the sign-in page's POST per source address (30 a minute), the
/// token endpoint per source address and per client_id; a refusal is 429 with Retry-After, an OAuth error at the token
/// endpoint and a readable page on the sign-in page. Other sources and other clients are not held back.
/// </summary>
public sealed class RateLimitTests(RealLimitsServerFixture server) : IClassFixture<RealLimitsServerFixture>
{
    [Fact]
    public async Task SignInPage_MoreThanTheLimit_429WithRetryAfterAndAPage_OtherSourcesUnaffected()
    {
        var user = await server.Directory.CreateUserAsync();
        using var client = new SignInPageClient(server, SignInPageClient.Loopback(31));
        var results = new List<SignInPageResult>();
        for (var i = 0; i < 60 && (results.Count == 0 || results[^1].Status != HttpStatusCode.TooManyRequests); i++)
        {
            results.Add(await client.SignInAsync($"nobody{i}@{server.Bootstrap.Domain}", "a wrong password here"));
        }

        // A burst of 30, refilled by 3 every 6 seconds while the test runs.
        Assert.All(results.Take(30), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var limited = results[^1];
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.True(int.TryParse(limited.RetryAfter, out var seconds) && seconds is >= 1 and <= 60, $"Retry-After: {limited.RetryAfter}");
        Assert.Contains("Too many sign-in attempts", limited.Body, StringComparison.Ordinal);
        Assert.Contains("TSR5021", limited.Body, StringComparison.Ordinal);
        Assert.Contains("<!DOCTYPE html>", limited.Body, StringComparison.Ordinal);

        // The form itself (GET) is not limited, and another source still signs in.
        using var other = new SignInPageClient(server, SignInPageClient.Loopback(32));
        Assert.True((await other.SignInAsync(user.UserName!, TestDirectory.Password)).SignedIn);
    }

    [Fact]
    public async Task TokenEndpoint_MoreThanTheClientLimit_429OAuthErrorWithRetryAfter()
    {
        // 6000 a minute per client: bad requests for one client_id from eight sources, each under its own address limit.
        var clientId = Guid.NewGuid().ToString();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpResponseMessage>();
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            using var http = new HttpClient(SignInPageClient.BoundHandler(SignInPageClient.Loopback(41 + worker)));
            // Each source stays well under its own limit (6000 a minute); together they exceed the client's, however fast
            // the server answers (a minute's refill is at most another 6000).
            for (var i = 0; i < 2000 && statuses.IsEmpty; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
                {
                    Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", "x")]),
                };
                var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    statuses.Add(response);
                    return;
                }

                response.Dispose();
            }
        })).ToList();
        await Task.WhenAll(workers);

        var limited = Assert.IsType<HttpResponseMessage>(statuses.FirstOrDefault(), exactMatch: false);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.StartsWith("application/json", limited.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal("temporarily_unavailable", body.RootElement.GetProperty("error").GetString());
        Assert.StartsWith("TSR5020:", body.RootElement.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        foreach (var response in statuses)
        {
            response.Dispose();
        }

        // Another client is not held back by this one's limit.
        using var fresh = server.CreateHttpClient();
        var other = await TokenClient.PostAsync(fresh, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", "api://tessera-admin/.default"));
        other.AssertSuccess();
    }

    [Fact]
    public async Task TokenEndpoint_MoreThanTheAddressLimit_429ForThatAddressOnly()
    {
        // A new client_id each time, so that only the address's limit (6000 a minute) can refuse.
        using var flooder = new HttpClient(SignInPageClient.BoundHandler(SignInPageClient.Loopback(71)));
        HttpResponseMessage? limited = null;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5000 && limited is null; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
                {
                    Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", Guid.NewGuid().ToString()), new("client_secret", "x")]),
                };
                var response = await flooder.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.CompareExchange(ref limited, response, null);
                    return;
                }

                response.Dispose();
            }
        })).ToList();
        await Task.WhenAll(workers);

        Assert.NotNull(limited);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        using (var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()))
        {
            Assert.Equal("temporarily_unavailable", body.RootElement.GetProperty("error").GetString());
        }

        limited.Dispose();
        using var elsewhere = new HttpClient(SignInPageClient.BoundHandler(SignInPageClient.Loopback(72)));
        var other = await TokenClient.PostAsync(elsewhere, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", "api://tessera-admin/.default"));
        other.AssertSuccess();
    }
}
