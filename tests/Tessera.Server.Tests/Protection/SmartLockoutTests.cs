using System.Net;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Protection.SignInProtectionSetup;

namespace Tessera.Server.Tests.Protection;

/// <summary>
/// Smart lockout over real HTTP: failures from sources an account has not signed in from lock out only those sources;
/// the person at a familiar source still gets in; the same wrong password again does not count; a lockout ends after its
/// duration or when an administrator sets a new password. Every refusal reads the same; the sign-in log tells them apart.
/// </summary>
public sealed class SmartLockoutTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static readonly IPAddress Home = SignInPageClient.Loopback(1);

    [Fact]
    public async Task Lockout_UnfamiliarSourceLocked_FamiliarSourceStillSignsIn()
    {
        await SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 600 });
        var user = await server.Directory.CreateUserAsync();
        using var home = new SignInPageClient(server, Home);
        using var attacker = new SignInPageClient(server, SignInPageClient.Loopback(21));
        AssertSignedIn(await home.SignInAsync(user.UserName!, TestDirectory.Password));
        await FlushSignInsAsync(server); // the success makes 127.0.0.1 familiar

        foreach (var guess in new[] { "first wrong guess", "second wrong guess", "third wrong guess" })
        {
            AssertRefused(await attacker.SignInAsync(user.UserName!, guess));
        }

        // Locked for the attacker's source: even the right password is refused, with the same page.
        AssertRefused(await attacker.SignInAsync(user.UserName!, TestDirectory.Password));

        // The person at home is not locked out by someone else's guesses.
        AssertSignedIn(await home.SignInAsync(user.UserName!, TestDirectory.Password));

        var events = await SignInsAsync(server, $"userId eq '{user.Id}' and ipAddress eq '127.0.0.21'");
        var codes = events.Select(e => e!["status"]!["errorCode"]!.GetValue<int>()).ToList();
        Assert.Equal(3, codes.Count(c => c == 50126));
        Assert.Contains(50053, codes);
        Assert.Contains(events, e => e!["status"]!["failureReason"]!.GetValue<string>() == "Account is locked");
    }

    [Fact]
    public async Task Lockout_SameWrongPasswordAgain_NotCounted()
    {
        await SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 600 });
        var user = await server.Directory.CreateUserAsync();
        using var phone = new SignInPageClient(server, SignInPageClient.Loopback(22));
        for (var i = 0; i < 8; i++)
        {
            AssertRefused(await phone.SignInAsync(user.UserName!, "an old password the phone keeps trying"));
        }

        AssertSignedIn(await phone.SignInAsync(user.UserName!, TestDirectory.Password));
    }

    [Fact]
    public async Task Lockout_EndsAfterItsDuration()
    {
        await SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 5 });
        try
        {
            var user = await server.Directory.CreateUserAsync();
            using var client = new SignInPageClient(server, SignInPageClient.Loopback(23));
            foreach (var guess in new[] { "wrong one", "wrong two", "wrong three" })
            {
                AssertRefused(await client.SignInAsync(user.UserName!, guess));
            }

            AssertRefused(await client.SignInAsync(user.UserName!, TestDirectory.Password));
            await Task.Delay(TimeSpan.FromSeconds(5.5));
            AssertSignedIn(await client.SignInAsync(user.UserName!, TestDirectory.Password));
        }
        finally
        {
            await SetPolicyAsync(server, new { lockoutDurationInSeconds = 600 });
        }
    }

    [Fact]
    public async Task Lockout_AdministratorSetsANewPassword_LockoutEnds()
    {
        await SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 600 });
        var user = await server.Directory.CreateUserAsync();
        using var client = new SignInPageClient(server, SignInPageClient.Loopback(24));
        foreach (var guess in new[] { "wrong one", "wrong two", "wrong three" })
        {
            AssertRefused(await client.SignInAsync(user.UserName!, guess));
        }

        AssertRefused(await client.SignInAsync(user.UserName!, TestDirectory.Password));

        const string newPassword = "velvet tram orbiting canyons";
        using (var admin = await AdminClient.BootstrapAsync(server))
        {
            using var reset = await admin.SendAsync(HttpMethod.Patch, $"users/{user.Id}", new { passwordProfile = new { password = newPassword } });
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        AssertSignedIn(await client.SignInAsync(user.UserName!, newPassword));
    }

    [Fact]
    public async Task Lockout_RepeatedLockoutsGrowLonger()
    {
        await SetPolicyAsync(server, new { lockoutThreshold = 3, lockoutDurationInSeconds = 5 });
        try
        {
            var user = await server.Directory.CreateUserAsync();
            using var client = new SignInPageClient(server, SignInPageClient.Loopback(25));
            foreach (var guess in new[] { "wrong one", "wrong two", "wrong three" })
            {
                AssertRefused(await client.SignInAsync(user.UserName!, guess));
            }

            await Task.Delay(TimeSpan.FromSeconds(5.5));

            // One more wrong password after the first lockout locks again at once, now for 10 seconds.
            AssertRefused(await client.SignInAsync(user.UserName!, "wrong four"));
            await Task.Delay(TimeSpan.FromSeconds(5.5));
            AssertRefused(await client.SignInAsync(user.UserName!, TestDirectory.Password));
            await Task.Delay(TimeSpan.FromSeconds(5));
            AssertSignedIn(await client.SignInAsync(user.UserName!, TestDirectory.Password));
        }
        finally
        {
            await SetPolicyAsync(server, new { lockoutDurationInSeconds = 600 });
        }
    }
}
