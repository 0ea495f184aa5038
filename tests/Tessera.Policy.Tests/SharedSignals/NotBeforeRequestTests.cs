using Tessera.Policy.SharedSignals;
using Tessera.Policy.Tokens;

namespace Tessera.Policy.Tests.SharedSignals;

public sealed class NotBeforeRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, -600, NotBeforeOutcome.Satisfied)]
    [InlineData("0", -600, NotBeforeOutcome.Satisfied)]
    [InlineData("+0", -600, NotBeforeOutcome.Invalid)]
    [InlineData("-5", -600, NotBeforeOutcome.Invalid)]
    [InlineData("1.5", -600, NotBeforeOutcome.Invalid)]
    [InlineData("soon", -600, NotBeforeOutcome.Invalid)]
    [InlineData("99999999999999999999", -600, NotBeforeOutcome.Invalid)]
    public void Check_Values(string? requested, int authenticatedOffsetSeconds, NotBeforeOutcome expected)
        => Assert.Equal(expected, NotBeforeRequest.Check(requested, Now.AddSeconds(authenticatedOffsetSeconds), Now));

    [Theory]
    [InlineData(-60, -120, NotBeforeOutcome.TooOld)]
    [InlineData(-60, -60, NotBeforeOutcome.Satisfied)]
    [InlineData(-60, -30, NotBeforeOutcome.Satisfied)]
    [InlineData(240, -1, NotBeforeOutcome.TooOld)]
    [InlineData(301, -1, NotBeforeOutcome.Invalid)]
    public void Check_AuthenticationAgainstTheTime(int requestedOffsetSeconds, int authenticatedOffsetSeconds, NotBeforeOutcome expected)
        => Assert.Equal(expected, NotBeforeRequest.Check(
            Now.AddSeconds(requestedOffsetSeconds).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Now.AddSeconds(authenticatedOffsetSeconds), Now));

    [Theory]
    [InlineData(0.0, 20)]
    [InlineData(0.5, 24)]
    [InlineData(0.99999, 27)]
    public void CaeAccessToken_DefaultMiddle_Spreads20To28Hours(double uniform, int hours)
        => Assert.Equal(hours, (int)TokenLifetimes.CaeAccessToken(TimeSpan.FromHours(24), uniform).TotalHours);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void CaeAccessToken_OutOfRange_Throws(double uniform)
        => Assert.Throws<ArgumentOutOfRangeException>(() => TokenLifetimes.CaeAccessToken(TimeSpan.FromHours(24), uniform));
}
