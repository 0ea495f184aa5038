using Tessera.Policy.Consent;

namespace Tessera.Policy.Tests.Consent;

/// <summary>Consent policy × permission type and risk × publisher: who may consent to what.</summary>
public sealed class ConsentPolicyTests
{
    public static TheoryData<UserConsentRule, bool, bool, bool, PermissionRisk, ConsentBlock> Table => new()
    {
        // rule, verified, multitenant, admin-only, risk → block for a user
        { UserConsentRule.NoUserConsent, true, false, false, PermissionRisk.Low, ConsentBlock.TenantAllowsNoUserConsent },
        { UserConsentRule.NoUserConsent, false, true, false, PermissionRisk.Low, ConsentBlock.TenantAllowsNoUserConsent },
        { UserConsentRule.NoUserConsent, true, false, true, PermissionRisk.Low, ConsentBlock.PermissionRequiresAdmin },

        { UserConsentRule.LowRiskTrustedPublishers, true, true, false, PermissionRisk.Low, ConsentBlock.None },
        { UserConsentRule.LowRiskTrustedPublishers, false, false, false, PermissionRisk.Low, ConsentBlock.None },
        { UserConsentRule.LowRiskTrustedPublishers, false, true, false, PermissionRisk.Low, ConsentBlock.PublisherUnverified },
        { UserConsentRule.LowRiskTrustedPublishers, true, true, false, PermissionRisk.Medium, ConsentBlock.PermissionNotLowRisk },
        { UserConsentRule.LowRiskTrustedPublishers, false, false, false, PermissionRisk.High, ConsentBlock.PermissionNotLowRisk },
        { UserConsentRule.LowRiskTrustedPublishers, true, false, true, PermissionRisk.Low, ConsentBlock.PermissionRequiresAdmin },

        { UserConsentRule.AnyUserConsentable, false, true, false, PermissionRisk.High, ConsentBlock.None },
        { UserConsentRule.AnyUserConsentable, false, true, false, PermissionRisk.Medium, ConsentBlock.None },
        { UserConsentRule.AnyUserConsentable, true, false, true, PermissionRisk.Low, ConsentBlock.PermissionRequiresAdmin },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void UserConsent_FollowsRuleRiskAndPublisher(
        UserConsentRule rule, bool verified, bool multitenant, bool adminOnly, PermissionRisk risk, ConsentBlock expected)
    {
        var block = ConsentPolicy.UserConsent(rule, new Publisher(verified, multitenant), new ScopeToConsent("Items.Read", adminOnly, risk));

        Assert.Equal(expected, block);
        Assert.Equal(expected == ConsentBlock.None, ConsentPolicy.Explain(block).Length == 0);
        Assert.Equal(expected == ConsentBlock.None, ConsentPolicy.MayApprove(block, administrator: false));
        Assert.True(ConsentPolicy.MayApprove(block, administrator: true));
    }

    [Fact]
    public void UserConsent_SeveralPermissions_ReportsTheFirstThatBlocks()
    {
        ScopeToConsent[] asked =
        [
            new("openid", false, PermissionRisk.Low),
            new("Items.ReadWrite", false, PermissionRisk.High),
            new("Items.ReadFull", true, PermissionRisk.Low),
        ];

        var block = ConsentPolicy.UserConsent(UserConsentRule.LowRiskTrustedPublishers, new Publisher(true, false), asked);

        Assert.Equal(ConsentBlock.PermissionNotLowRisk, block);
        Assert.Equal(ConsentBlock.None, ConsentPolicy.UserConsent(UserConsentRule.LowRiskTrustedPublishers, new Publisher(true, false), asked[..1]));
    }

    [Theory]
    [InlineData("low", PermissionRisk.Low)]
    [InlineData("medium", PermissionRisk.Medium)]
    [InlineData("high", PermissionRisk.High)]
    [InlineData(null, PermissionRisk.Medium)]
    [InlineData("LOW", PermissionRisk.Medium)]
    public void ParseRisk_UnratedCountsAsMedium(string? stored, PermissionRisk expected)
        => Assert.Equal(expected, ConsentPolicy.ParseRisk(stored));
}
