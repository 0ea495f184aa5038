using Tessera.Policy.Scopes;

namespace Tessera.Policy.Tests;

public sealed class ScopeRequestTests
{
    [Fact]
    public void Parse_OpenIdAndOneApi_SplitsThem()
    {
        var result = ScopeRequest.Parse(["openid", "offline_access", "api://orders/Orders.Read", "api://orders/Orders.ReadWrite"]);
        Assert.Null(result.Error);
        Assert.Equal("api://orders", result.Request!.Resource);
        Assert.Equal(["Orders.Read", "Orders.ReadWrite"], result.Request.ResourceScopes);
        Assert.Equal(["openid", "offline_access"], result.Request.OpenIdScopes);
        Assert.False(result.Request.IsDefault);
    }

    [Fact]
    public void Parse_Default_IsDefault()
    {
        var result = ScopeRequest.Parse(["2f4a0c1e-0000-4000-8000-000000000001/.default"]);
        Assert.True(result.Request!.IsDefault);
        Assert.Equal("2f4a0c1e-0000-4000-8000-000000000001", result.Request.Resource);
    }

    [Theory]
    [InlineData("TSR2010", "api://a/X.Read", "api://b/Y.Read")]
    [InlineData("TSR2011", "api://a/.default", "api://a/X.Read")]
    [InlineData("TSR2009", "User.Read")]
    [InlineData("TSR2009", "api://a/")]
    [InlineData("TSR2009", "/X.Read")]
    public void Parse_Ambiguous_FailsWithCode(string code, params string[] scopes)
        => Assert.Equal(code, ScopeRequest.Parse(scopes).Error!.Code);

    [Fact]
    public void Parse_OnlyOpenId_HasNoResource()
        => Assert.Null(ScopeRequest.Parse(["openid", "profile"]).Request!.Resource);
}
