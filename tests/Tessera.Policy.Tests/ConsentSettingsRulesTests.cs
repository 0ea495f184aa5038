using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tests;

public sealed class ConsentSettingsRulesTests
{
    private const string Low = "ManagePermissionGrantsForSelf.microsoft-user-default-low";
    private const string Legacy = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";
    private static readonly string[] Known = [Low, Legacy];

    [Theory]
    // assigned (| separated) → stored policy, error code
    [InlineData("", null, null)]
    [InlineData(Low, Low, null)]
    [InlineData(Legacy, Legacy, null)]
    [InlineData(Low + "|" + Low, Low, null)]
    [InlineData(Low + "|" + Legacy, null, "TSR3071")]
    [InlineData("none", null, "TSR3070")]
    [InlineData("ManagePermissionGrantsForSelf.microsoft-user-default-LOW", null, "TSR3070")]
    [InlineData("ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team", null, "TSR3070")]
    [InlineData(Low + "|everything", null, "TSR3070")]
    public void UserConsentPolicy_Table_NoneOrExactlyOneKnownPolicy(string assigned, string? policy, string? code)
    {
        var choice = ConsentSettingsRules.UserConsentPolicy(assigned.Split('|', StringSplitOptions.RemoveEmptyEntries), Known);
        Assert.Equal(policy, choice.Policy);
        Assert.Equal(code, choice.Error?.Code);
    }

    [Fact]
    public void UserConsentPolicy_Unknown_NamesTheValueAndTheAllowedOnes()
    {
        var error = ConsentSettingsRules.UserConsentPolicy(["anyone"], Known).Error!;
        Assert.Contains("'anyone'", error.Description, StringComparison.Ordinal);
        Assert.Contains(Low, error.Description, StringComparison.Ordinal);
        Assert.Contains(Legacy, error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("low", "low", null)]
    [InlineData("Medium", "medium", null)]
    [InlineData(" HIGH ", "high", null)]
    [InlineData("critical", null, "TSR3073")]
    [InlineData("", null, "TSR3073")]
    [InlineData(null, null, "TSR3073")]
    public void Classification_Table_LowMediumHighInAnyCase(string? value, string? stored, string? code)
    {
        var (classification, error) = ConsentSettingsRules.Classification(value);
        Assert.Equal(stored, classification);
        Assert.Equal(code, error?.Code);
    }

    [Theory]
    [InlineData("1234567", null)]
    [InlineData("contoso-partner.01", null)]
    [InlineData("", "TSR3078")]
    [InlineData("   ", "TSR3078")]
    [InlineData(null, "TSR3078")]
    [InlineData("bad\u0007id", "TSR3078")]
    public void PublisherId_Table_VisibleTextOnly(string? value, string? code)
        => Assert.Equal(code, ConsentSettingsRules.PublisherId(value)?.Code);

    [Fact]
    public void PublisherId_TooLong_Refused()
    {
        Assert.Null(ConsentSettingsRules.PublisherId(new string('7', ConsentSettingsRules.LongestPublisherId)));
        Assert.Equal("TSR3078", ConsentSettingsRules.PublisherId(new string('7', ConsentSettingsRules.LongestPublisherId + 1))?.Code);
    }

    [Theory]
    [InlineData("Contoso Ltd", null)]
    [InlineData("", "TSR3079")]
    [InlineData("Contoso\nMicrosoft Corporation", "TSR3079")]
    public void PublisherName_Table_VisibleTextOnly(string value, string? code)
        => Assert.Equal(code, ConsentSettingsRules.PublisherName(value)?.Code);

    [Theory]
    [InlineData(null, "None", null)]
    [InlineData("None", "None", null)]
    [InlineData("securitygroup", "SecurityGroup", null)]
    [InlineData("All", "All", null)]
    [InlineData("DirectoryRole", null, "TSR3086")]
    [InlineData("SecurityGroup, DirectoryRole", null, "TSR3086")]
    [InlineData("", null, "TSR3086")]
    public void GroupMembershipClaims_Table_NoneSecurityGroupOrAll(string? value, string? stored, string? code)
    {
        var (claims, error) = GroupMembershipClaimsRules.Parse(value);
        Assert.Equal(stored, claims);
        Assert.Equal(code, error?.Code);
    }
}
