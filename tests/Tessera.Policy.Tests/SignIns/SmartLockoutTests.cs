using System.Net;
using Tessera.Policy.SignIns;

namespace Tessera.Policy.Tests.SignIns;

public sealed class SmartLockoutTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly LockoutSettings Settings = new(Threshold: 3, Duration: TimeSpan.FromSeconds(60));

    [Fact]
    public void AfterFailure_ThresholdDistinctPasswords_LocksForDuration()
    {
        var state = LockoutState.Fresh;
        state = SmartLockout.AfterFailure(state, Settings, "a", Start);
        state = SmartLockout.AfterFailure(state, Settings, "b", Start);
        Assert.False(SmartLockout.IsLockedOut(state, Start));

        state = SmartLockout.AfterFailure(state, Settings, "c", Start);
        Assert.True(SmartLockout.IsLockedOut(state, Start));
        Assert.True(SmartLockout.IsLockedOut(state, Start.AddSeconds(59)));
        Assert.False(SmartLockout.IsLockedOut(state, Start.AddSeconds(60)));
    }

    [Fact]
    public void AfterFailure_SameWrongPasswordAgain_NotCounted()
    {
        var state = LockoutState.Fresh;
        for (var i = 0; i < 20; i++)
        {
            state = SmartLockout.AfterFailure(state, Settings, "same", Start.AddSeconds(i));
        }

        Assert.Equal(1, state.Failures);
        Assert.False(SmartLockout.IsLockedOut(state, Start.AddSeconds(20)));
    }

    [Fact]
    public void AfterFailure_AfterALockout_NextNewPasswordLocksAgainForTwiceAsLong()
    {
        var state = LockoutState.Fresh;
        foreach (var hash in new[] { "a", "b", "c" })
        {
            state = SmartLockout.AfterFailure(state, Settings, hash, Start);
        }

        var later = Start.AddSeconds(61);
        Assert.False(SmartLockout.IsLockedOut(state, later));
        state = SmartLockout.AfterFailure(state, Settings, "d", later);
        Assert.True(SmartLockout.IsLockedOut(state, later.AddSeconds(119)));
        Assert.False(SmartLockout.IsLockedOut(state, later.AddSeconds(120)));
        Assert.Equal(2, state.Lockouts);
    }

    [Fact]
    public void AfterFailure_QuietDay_StartsAfresh()
    {
        var state = LockoutState.Fresh;
        foreach (var hash in new[] { "a", "b", "c" })
        {
            state = SmartLockout.AfterFailure(state, Settings, hash, Start);
        }

        state = SmartLockout.AfterFailure(state, Settings, "d", Start.AddDays(2));
        Assert.Equal(1, state.Failures);
        Assert.Equal(0, state.Lockouts);
        Assert.False(SmartLockout.IsLockedOut(state, Start.AddDays(2)));
    }

    [Fact]
    public void AfterFailure_RemembersOnlyAFewHashes()
    {
        var state = LockoutState.Fresh;
        for (var i = 0; i < 2; i++)
        {
            state = SmartLockout.AfterFailure(state, new LockoutSettings(100, TimeSpan.FromMinutes(1)), $"h{i}", Start);
        }

        for (var i = 2; i < 12; i++)
        {
            state = SmartLockout.AfterFailure(state, new LockoutSettings(100, TimeSpan.FromMinutes(1)), $"h{i}", Start);
        }

        Assert.Equal(SmartLockout.RememberedFailures, state.RecentFailureHashes.Count);
        Assert.Equal(12, state.Failures);
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(3, 240)]
    [InlineData(12, 86400)]
    [InlineData(40, 86400)]
    public void Duration_DoublesUpToADay(int lockout, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), SmartLockout.Duration(Settings, lockout));

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("127.0.0.2", "127.0.0.2/32")]
    [InlineData("::1", "::1/128")]
    [InlineData("not an address", "")]
    public void SignInSources_NetworkOfTheAddress(string address, string source)
        => Assert.Equal(source, SignInSources.Of(address));

    [Fact]
    public void SignInSources_NoAddress_Empty()
        => Assert.Equal(string.Empty, SignInSources.Of((IPAddress?)null));
}
