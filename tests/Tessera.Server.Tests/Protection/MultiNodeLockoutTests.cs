using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Protection.SignInProtectionSetup;

namespace Tessera.Server.Tests.Protection;

/// <summary>
/// Smart lockout holds across nodes: failures counted by one server lock the account on another on the same database
/// (SQLite here, PostgreSQL in the PostgreSQL pass), and the spray block is seen by both.
/// </summary>
public sealed class MultiNodeLockoutTests(TesseraServerFixture first) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task TwoNodes_FailuresOnOne_LockOnTheOther()
    {
        await SetPolicyAsync(first, new { lockoutThreshold = 3, lockoutDurationInSeconds = 600 });
        await using var second = await TesseraServerFixture.StartServerAsync(first.DataPath, first.StorageArguments);
        var user = await first.Directory.CreateUserAsync();
        using var onFirst = new SignInPageClient(first, SignInPageClient.Loopback(61));
        using var onSecond = new SignInPageClient($"{second.Origin}/{first.TenantId:D}", SignInPageClient.Loopback(61));

        AssertRefused(await onFirst.SignInAsync(user.UserName!, "wrong on the first node"));
        AssertRefused(await onSecond.SignInAsync(user.UserName!, "wrong on the second node"));
        AssertRefused(await onFirst.SignInAsync(user.UserName!, "wrong on the first node again"));

        AssertRefused(await onSecond.SignInAsync(user.UserName!, TestDirectory.Password));
        AssertRefused(await onFirst.SignInAsync(user.UserName!, TestDirectory.Password));
    }
}
