using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Protection.SignInProtectionSetup;

namespace Tessera.Server.Tests.Protection;

/// <summary>
/// No user enumeration: a wrong password for an existing account, an unknown user, a disabled account and a locked
/// account get the same page and status, in about the same time (a password hash is spent on every path).
/// </summary>
public sealed class EnumerationTimingTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const int Rounds = 15;

    [Fact]
    public async Task SignIn_ExistingVersusUnknownUser_SamePageSameTime()
    {
        var existing = await server.Directory.CreateUserAsync();
        var disabled = await server.Directory.CreateUserAsync();
        await server.Directory.SetUserEnabledAsync(disabled.Id, enabled: false);
        using var client = new SignInPageClient(server, SignInPageClient.Loopback(51));

        // Warm up both paths (first requests compile views and open connections).
        await client.SignInAsync(existing.UserName!, "warm up wrong one");
        await client.SignInAsync("nobody-warm@" + server.Bootstrap.Domain, "warm up wrong one");

        var known = new List<TimeSpan>();
        var unknown = new List<TimeSpan>();
        var pages = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Rounds; i++)
        {
            // Interleaved, so that anything else slowing the machine slows both alike. Each wrong password is new:
            // smart lockout (threshold 10) would otherwise be reached, and the same wrong password is not counted.
            var wrong = await client.SignInAsync(existing.UserName!, $"wrong password number {i % 5}");
            var nobody = await client.SignInAsync($"nobody{i}@{server.Bootstrap.Domain}", $"wrong password number {i % 5}");
            AssertRefused(wrong);
            AssertRefused(nobody);
            known.Add(wrong.Elapsed);
            unknown.Add(nobody.Elapsed);
            pages.Add(Normalise(wrong.Body));
            pages.Add(Normalise(nobody.Body));
        }

        var disabledPage = await client.SignInAsync(disabled.UserName!, TestDirectory.Password);
        AssertRefused(disabledPage);
        pages.Add(Normalise(disabledPage.Body));
        Assert.Single(pages);

        var ratio = Median(known).TotalMilliseconds / Median(unknown).TotalMilliseconds;
        Assert.True(ratio is > 0.6 and < 1.6,
            $"Median of a wrong password for an existing user {Median(known).TotalMilliseconds:F1} ms, of an unknown user {Median(unknown).TotalMilliseconds:F1} ms (ratio {ratio:F2}).");
    }

    [Fact]
    public async Task SignIn_LockedAccount_SamePageSameTimeAsWrongPassword()
    {
        await SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 600 });
        try
        {
            var locked = await server.Directory.CreateUserAsync();
            var other = await server.Directory.CreateUserAsync();
            using var client = new SignInPageClient(server, SignInPageClient.Loopback(52));
            foreach (var guess in new[] { "wrong one", "wrong two", "wrong three" })
            {
                AssertRefused(await client.SignInAsync(locked.UserName!, guess));
            }

            var lockedTimes = new List<TimeSpan>();
            var wrongTimes = new List<TimeSpan>();
            for (var i = 0; i < 9; i++)
            {
                var refusedLocked = await client.SignInAsync(locked.UserName!, TestDirectory.Password);
                var refusedWrong = await client.SignInAsync(other.UserName!, "the same wrong password"); // not counted again
                AssertRefused(refusedLocked);
                AssertRefused(refusedWrong);
                Assert.Equal(Normalise(refusedWrong.Body), Normalise(refusedLocked.Body));
                lockedTimes.Add(refusedLocked.Elapsed);
                wrongTimes.Add(refusedWrong.Elapsed);
            }

            var ratio = Median(lockedTimes).TotalMilliseconds / Median(wrongTimes).TotalMilliseconds;
            Assert.True(ratio is > 0.6 and < 1.6, $"Locked {Median(lockedTimes).TotalMilliseconds:F1} ms, wrong password {Median(wrongTimes).TotalMilliseconds:F1} ms (ratio {ratio:F2}).");
        }
        finally
        {
            await SetPolicyAsync(server, new { lockoutThreshold = 10, lockoutDurationInSeconds = 60 });
        }
    }

    private static TimeSpan Median(List<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The page without what differs per request by design: the antiforgery token and the typed user name.</summary>
    private static string Normalise(string body)
        => System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(body, "value=\"[^\"]*\"", "value=\"\""), "\\s+", " ");
}
