using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tests;

public sealed class PermissionGrantRulesTests
{
    private static readonly string[] Offered = ["Orders.Read", "Orders.ReadWrite"];
    private static readonly Guid ApiId = Guid.Parse("5f0c3a8e-3a52-4c1b-9a43-0c7d2b1f9e11");

    [Theory]
    // scope, is the sign-in resource → stored values (| separated), error code
    [InlineData("Orders.Read", false, "Orders.Read", null)]
    [InlineData("Orders.Read Orders.ReadWrite", false, "Orders.Read|Orders.ReadWrite", null)]
    [InlineData("  Orders.ReadWrite   Orders.Read ", false, "Orders.ReadWrite|Orders.Read", null)]
    [InlineData("Orders.Read Orders.Read", false, "Orders.Read", null)]
    [InlineData("openid profile Orders.Read", true, "openid|profile|Orders.Read", null)]
    [InlineData("email offline_access", true, "email|offline_access", null)]
    [InlineData("openid Orders.Read", false, "", "TSR3091")]
    [InlineData("orders.read", false, "", "TSR3091")]
    [InlineData("Orders.Read Orders.Delete", false, "", "TSR3091")]
    [InlineData("Orders.Read\tOrders.ReadWrite", false, "", "TSR3091")]
    [InlineData("", false, "", "TSR3090")]
    [InlineData("   ", false, "", "TSR3090")]
    [InlineData(null, false, "", "TSR3090")]
    public void Scopes_Table_OnlyWhatTheApiOffers(string? scope, bool signIn, string values, string? code)
    {
        var result = PermissionGrantRules.Scopes(scope, Offered, signIn, "Orders API", ApiId);
        Assert.Equal(values.Split('|', StringSplitOptions.RemoveEmptyEntries), result.Values);
        Assert.Equal(code, result.Error?.Code);
    }

    [Fact]
    public void Scopes_Unknown_NamesTheValueTheApiAndWhereToLook()
    {
        var error = PermissionGrantRules.Scopes("Orders.Read Orders.Delete", Offered, false, "Orders API", ApiId).Error!;
        Assert.Contains("'Orders.Delete'", error.Description, StringComparison.Ordinal);
        Assert.Contains("'Orders API'", error.Description, StringComparison.Ordinal);
        Assert.Contains($"/servicePrincipals/{ApiId}", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_TooMany_Tsr3092()
    {
        var many = Enumerable.Range(0, PermissionGrantRules.MostScopes + 1).Select(i => $"Scope{i}").ToList();
        var result = PermissionGrantRules.Scopes(string.Join(' ', many), many, false, "Big API", ApiId);
        Assert.Equal("TSR3092", result.Error?.Code);
    }

    [Theory]
    // consentType, principalId sent → stored, error code
    [InlineData("AllPrincipals", false, "AllPrincipals", null)]
    [InlineData("Principal", true, "Principal", null)]
    [InlineData("allprincipals", false, "AllPrincipals", null)]
    [InlineData(" principal ", true, "Principal", null)]
    [InlineData("AllPrincipals", true, null, "TSR3097")]
    [InlineData("Principal", false, null, "TSR3096")]
    [InlineData("User", true, null, "TSR3095")]
    [InlineData("", false, null, "TSR3095")]
    [InlineData(null, false, null, "TSR3095")]
    public void ConsentType_Table_PrincipalIdOnlyForOneUsersGrant(string? consentType, bool principalSent, string? stored, string? code)
    {
        var (type, error) = PermissionGrantRules.ConsentType(consentType, principalSent);
        Assert.Equal(stored, type);
        Assert.Equal(code, error?.Code);
    }

    [Theory]
    // scopes, held (| separated) → first not held
    [InlineData("openid profile", "", null)]
    [InlineData("User.Read.All", "User.Read.All", null)]
    [InlineData("User.Read.All", "User.ReadWrite.All", null)]
    [InlineData("User.Read.All", "Directory.Read.All", null)]
    [InlineData("openid User.ReadWrite.All", "User.Read.All", "User.ReadWrite.All")]
    [InlineData("Application.Read.All Directory.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All|Application.Read.All", "Directory.ReadWrite.All")]
    [InlineData("AppRoleAssignment.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "AppRoleAssignment.ReadWrite.All")]
    [InlineData("Orders.Read Directory.Read.All", "Directory.ReadWrite.All", null)]
    public void FirstAdminPermissionNotHeld_Table_NoWayUp(string scopes, string held, string? expected)
        => Assert.Equal(expected, PermissionGrantRules.FirstAdminPermissionNotHeld(
            scopes.Split(' '), held.Split('|', StringSplitOptions.RemoveEmptyEntries)));

    [Theory]
    [InlineData("a b", "a b", "")]
    [InlineData("a b", "a", "b")]
    [InlineData("a", "a c", "c")]
    [InlineData("a b", "c", "c|a|b")]
    public void Changed_Table_AddedThenRemoved(string before, string after, string expected)
        => Assert.Equal(expected.Split('|', StringSplitOptions.RemoveEmptyEntries), PermissionGrantRules.Changed(before.Split(' '), after.Split(' ')));
}
