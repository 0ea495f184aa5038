using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tests;

public sealed class AppManagementPolicyRulesTests
{
    [Theory]
    [InlineData("P1D", 1, null)]
    [InlineData("P180D", 180, null)]
    [InlineData("P730D", 730, null)]
    [InlineData("P0D", 0, "TSR3066")]
    [InlineData("P731D", 0, "TSR3066")]
    [InlineData("P99999D", 0, "TSR3066")]
    [InlineData("P2Y", 0, "TSR3066")]
    [InlineData("P1.5D", 0, "TSR3066")]
    [InlineData("P-1D", 0, "TSR3066")]
    [InlineData("p30d", 0, "TSR3066")]
    [InlineData("PT24H", 0, "TSR3066")]
    [InlineData("30", 0, "TSR3066")]
    [InlineData("", 0, "TSR3066")]
    [InlineData(null, 0, "TSR3066")]
    public void MaxLifetimeDays_WholeDaysFromOneToTwoYears(string? value, int days, string? code)
    {
        var (parsed, error) = AppManagementPolicyRules.MaxLifetimeDays(value);
        Assert.Equal(code, error?.Code);
        Assert.Equal(days, parsed);
    }

    [Theory]
    [InlineData("passwordLifetime", null)]
    [InlineData("passwordAddition", null)]
    [InlineData("customPasswordAddition", "TSR3065")]
    [InlineData("symmetricKeyLifetime", "TSR3065")]
    [InlineData("PasswordLifetime", "TSR3065")]
    [InlineData("PasswordAddition", "TSR3065")]
    [InlineData(null, "TSR3065")]
    public void RestrictionType_PasswordLifetimeAndPasswordAddition(string? value, string? code)
        => Assert.Equal(code, AppManagementPolicyRules.RestrictionType(value)?.Code);

    [Fact]
    public void Duration_WritesDays()
        => Assert.Equal("P730D", AppManagementPolicyRules.Duration(730));
}
