using Tessera.Policy.Tokens;

namespace Tessera.Policy.Tests;

public sealed class TokenLifetimesTests
{
    [Theory]
    [InlineData(0.0, 60)]
    [InlineData(0.5, 75)]
    [InlineData(0.99999, 89)]
    public void AccessToken_Uniform_StaysBetween60And90Minutes(double uniform, int minutes)
        => Assert.Equal(minutes, (int)TokenLifetimes.AccessToken(uniform).TotalMinutes);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void AccessToken_OutOfRange_Throws(double uniform)
        => Assert.Throws<ArgumentOutOfRangeException>(() => TokenLifetimes.AccessToken(uniform));
}
