using Tessera.Policy.Sessions;

namespace Tessera.Policy.Tests;

public sealed class SessionRulesTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly SessionTimeouts Timeouts = new(TimeSpan.FromHours(1), TimeSpan.FromHours(12));

    [Theory]
    [InlineData(0, 0, false, SessionVerdict.Active)]
    [InlineData(0.5, 0, false, SessionVerdict.Active)]
    [InlineData(1, 0, false, SessionVerdict.ActiveTouch)]
    [InlineData(59, 0, false, SessionVerdict.ActiveTouch)]
    [InlineData(60, 0, false, SessionVerdict.IdleTimeout)]
    [InlineData(61, 0, false, SessionVerdict.IdleTimeout)]
    [InlineData(11 * 60 + 59, 11 * 60 + 30, false, SessionVerdict.ActiveTouch)]
    [InlineData(12 * 60, 11 * 60 + 59.5, false, SessionVerdict.AbsoluteTimeout)]
    [InlineData(1, 0, true, SessionVerdict.Ended)]
    public void Check_ByMinutesSinceStartAndLastActivity_Verdict(double nowMinutes, double lastActivityMinutes, bool ended, SessionVerdict expected)
    {
        var session = new SessionState(Start, Start.AddMinutes(lastActivityMinutes), Start.AddHours(12), ended);
        Assert.Equal(expected, SessionRules.Check(session, Timeouts, Start.AddMinutes(nowMinutes)));
    }

    [Fact]
    public void Check_PolicyShortenedAfterStart_AppliesToTheSession()
    {
        var session = new SessionState(Start, Start.AddHours(2), Start.AddHours(12), false);
        var shorter = new SessionTimeouts(TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        Assert.Equal(SessionVerdict.AbsoluteTimeout, SessionRules.Check(session, shorter, Start.AddHours(2)));
        Assert.Equal(SessionVerdict.Active, SessionRules.Check(session, Timeouts, Start.AddHours(2)));
    }

    [Fact]
    public void Check_PolicyLengthenedAfterStart_KeepsTheSessionsOwnEnd()
    {
        var session = new SessionState(Start, Start.AddHours(12), Start.AddHours(12), false);
        var longer = new SessionTimeouts(TimeSpan.FromHours(1), TimeSpan.FromDays(2));
        Assert.Equal(SessionVerdict.AbsoluteTimeout, SessionRules.Check(session, longer, Start.AddHours(12)));
    }

    [Theory]
    [InlineData(null, null, 60, 720)]
    [InlineData(30, null, 30, 720)]
    [InlineData(null, 120, 60, 120)]
    [InlineData(null, 30, 30, 30)] // the server's idle timeout never outlasts a shorter tenant absolute one
    [InlineData(10, 20, 10, 20)]
    public void Effective_TenantValuesOverServerDefaults(int? idle, int? absolute, int expectedIdle, int expectedAbsolute)
    {
        var effective = SessionRules.Effective(Timeouts, idle, absolute);
        Assert.Equal(TimeSpan.FromMinutes(expectedIdle), effective.Idle);
        Assert.Equal(TimeSpan.FromMinutes(expectedAbsolute), effective.Absolute);
    }

    [Theory]
    [InlineData("PT5M", 5, null)]
    [InlineData("PT1H", 60, null)]
    [InlineData("PT1H30M", 90, null)]
    [InlineData("PT24H", 1440, null)]
    [InlineData("P1D", 1440, null)]
    [InlineData("PT4M", 0, "TSR5301")]
    [InlineData("PT24H1M", 0, "TSR5301")]
    [InlineData("PT90S", 0, "TSR5301")]
    [InlineData("PT1.5H", 0, "TSR5301")]
    [InlineData("P1M", 0, "TSR5301")]
    [InlineData("-PT1H", 0, "TSR5301")]
    [InlineData("1 hour", 0, "TSR5301")]
    [InlineData("", 0, "TSR5301")]
    [InlineData(null, 0, "TSR5301")]
    public void IdleMinutes_WholeMinutesFromFiveMinutesToADay(string? value, int minutes, string? code)
    {
        var (parsed, error) = SessionRules.IdleMinutes(value);
        Assert.Equal(code, error?.Code);
        Assert.Equal(minutes, parsed);
    }

    [Theory]
    [InlineData("PT15M", 15, null)]
    [InlineData("PT12H", 720, null)]
    [InlineData("P30D", 43200, null)]
    [InlineData("PT14M", 0, "TSR5302")]
    [InlineData("P31D", 0, "TSR5302")]
    [InlineData("P1Y", 0, "TSR5302")]
    [InlineData("P99999999999D", 0, "TSR5302")]
    public void AbsoluteMinutes_WholeMinutesFromFifteenMinutesToThirtyDays(string? value, int minutes, string? code)
    {
        var (parsed, error) = SessionRules.AbsoluteMinutes(value);
        Assert.Equal(code, error?.Code);
        Assert.Equal(minutes, parsed);
    }

    [Fact]
    public void Consistent_IdleLongerThanAbsolute_Refused()
    {
        Assert.Null(SessionRules.Consistent(TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
        Assert.Equal("TSR5303", SessionRules.Consistent(TimeSpan.FromHours(2), TimeSpan.FromHours(1))?.Code);
    }

    [Theory]
    [InlineData(60, 720, null)]
    [InlineData(4, 720, "TSR5307")]
    [InlineData(60, 30, "TSR5307")]
    [InlineData(10, 14, "TSR5308")]
    [InlineData(60, 60 * 24 * 31, "TSR5308")]
    public void CheckServer_OutOfRange_Refused(int idle, int absolute, string? code)
        => Assert.Equal(code, SessionRules.CheckServer(new SessionTimeouts(TimeSpan.FromMinutes(idle), TimeSpan.FromMinutes(absolute)))?.Code);

    [Fact]
    public void Duration_WritesIso8601()
    {
        Assert.Equal("PT1H", SessionRules.Duration(TimeSpan.FromHours(1)));
        Assert.Equal("PT12H", SessionRules.Duration(TimeSpan.FromHours(12)));
        Assert.Equal("PT1H30M", SessionRules.Duration(TimeSpan.FromMinutes(90)));
    }
}
