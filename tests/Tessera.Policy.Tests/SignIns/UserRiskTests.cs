using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.SignIns;

namespace Tessera.Policy.Tests.SignIns;

public sealed class UserRiskTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static DetectedRisk Risk(string level, string state, int minutes = 0)
        => new(level, state, "passwordSpray", Start.AddMinutes(minutes));

    [Fact]
    public void NoDetections_NoneEverywhere()
    {
        Assert.Equal(RiskLevel.None, UserRisk.Level([]));
        Assert.Equal("none", UserRisk.State([]));
        Assert.Equal("none", UserRisk.Detail([]));
    }

    [Fact]
    public void Level_HighestActive_DismissedAndRemediatedIgnored()
    {
        DetectedRisk[] detections = [Risk("high", "dismissed"), Risk("high", "remediated"), Risk("medium", "atRisk"), Risk("low", "atRisk")];

        Assert.Equal(RiskLevel.Medium, UserRisk.Level(detections));
    }

    [Fact]
    public void Level_UnknownLevelIgnored()
        => Assert.Equal(RiskLevel.Low, UserRisk.Level([Risk("severe", "atRisk"), Risk("low", "atRisk")]));

    [Theory]
    [InlineData("confirmedCompromised", "atRisk", "confirmedCompromised", "adminConfirmedUserCompromised")]
    [InlineData("atRisk", "dismissed", "atRisk", "none")]
    [InlineData("dismissed", "remediated", "remediated", "none")]
    [InlineData("remediated", "dismissed", "dismissed", "adminDismissedAllRiskForUser")]
    public void State_ActiveWinsElseNewest(string older, string newer, string state, string detail)
    {
        DetectedRisk[] detections = [Risk("high", older, 0), Risk("medium", newer, 5)];

        Assert.Equal(state, UserRisk.State(detections));
        Assert.Equal(detail, UserRisk.Detail(detections));
    }
}
