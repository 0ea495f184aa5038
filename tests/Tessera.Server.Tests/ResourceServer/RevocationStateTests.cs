using Tessera.AspNetCore.ContinuousAccess;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>The receiver's per-subject revocation times: what a token's <c>iat</c> is compared with, and how they are bounded.</summary>
public sealed class RevocationStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Tenant = Guid.NewGuid();

    [Fact]
    public void Revoke_RefusesTokensIssuedAtOrBefore_OnlyOfThatSubject()
    {
        var state = new RevocationState(new ManualClock(Start));
        var subject = new Subject(Tenant, Guid.NewGuid());
        var at = Start.ToUnixTimeSeconds();

        Assert.True(state.Revoke(subject, at));

        Assert.True(state.IsRevoked(subject, at - 1, out var revokedAt));
        Assert.Equal(at, revokedAt);
        Assert.True(state.IsRevoked(subject, at, out _));
        Assert.False(state.IsRevoked(subject, at + 1, out _));
        Assert.False(state.IsRevoked(new Subject(Tenant, Guid.NewGuid()), at - 1, out _));
        Assert.False(state.IsRevoked(new Subject(Guid.NewGuid(), subject.ObjectId), at - 1, out _));
        Assert.False(state.IsRevoked(null, at - 1, out _));
    }

    [Fact]
    public void OlderRevocation_ChangesNothing()
    {
        var state = new RevocationState(new ManualClock(Start));
        var subject = new Subject(Tenant, Guid.NewGuid());
        var at = Start.ToUnixTimeSeconds();

        Assert.True(state.Revoke(subject, at));
        Assert.False(state.Revoke(subject, at - 100));
        Assert.True(state.IsRevoked(subject, at - 10, out _));
        Assert.True(state.Revoke(subject, at + 100));
        Assert.True(state.IsRevoked(subject, at + 50, out _));
    }

    [Fact]
    public void PastHorizon_EntriesDropped_AndTooOldRevocationsIgnored()
    {
        var clock = new ManualClock(Start);
        var state = new RevocationState(clock);
        var at = Start.ToUnixTimeSeconds();
        state.Revoke(new Subject(Tenant, Guid.NewGuid()), at);

        clock.Set(Start + RevocationState.Horizon + TimeSpan.FromMinutes(2));
        Assert.False(state.Revoke(new Subject(Tenant, Guid.NewGuid()), at)); // every token it could concern has expired
        Assert.True(state.Revoke(new Subject(Tenant, Guid.NewGuid()), clock.GetUtcNow().ToUnixTimeSeconds())); // sweeps

        Assert.Equal(1, state.Count);
    }

    [Fact]
    public void PastCapacity_OlderHalfFoldedIntoOneTimeForEveryone()
    {
        var state = new RevocationState(new ManualClock(Start));
        // Four subjects a second, all within the last 14 hours.
        var first = Start.ToUnixTimeSeconds() - (RevocationState.Capacity / 4);
        for (var i = 0; i < RevocationState.Capacity; i++)
        {
            Assert.True(state.Revoke(new Subject(Tenant, Guid.NewGuid()), first + (i / 4)));
        }

        var newest = new Subject(Tenant, Guid.NewGuid());
        state.Revoke(newest, Start.ToUnixTimeSeconds());

        Assert.True(state.Count <= (RevocationState.Capacity / 2) + 1, state.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(state.Floor >= first + (RevocationState.Capacity / 8) - 1);
        Assert.True(state.IsRevoked(new Subject(Tenant, Guid.NewGuid()), first, out _)); // anyone's token from before the floor
        Assert.True(state.IsRevoked(newest, Start.ToUnixTimeSeconds(), out _));
        Assert.False(state.IsRevoked(new Subject(Tenant, Guid.NewGuid()), Start.ToUnixTimeSeconds(), out _));
    }
}
