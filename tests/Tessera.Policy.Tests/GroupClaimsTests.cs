using Tessera.Policy.Tokens;

namespace Tessera.Policy.Tests;

public sealed class GroupClaimsTests
{
    private const string Endpoint = "https://id.example.com/admin/v1/users/5d0c1a3e-0000-0000-0000-000000000001/getMemberObjects";

    private static IReadOnlyList<string> Ids(int count) => [.. Enumerable.Range(0, count).Select(i => $"00000000-0000-0000-0000-{i:D12}")];

    [Theory]
    // client's groupMembershipClaims, API's (null: no API asked for) → ID token, access token, security groups only
    [InlineData(null, null, false, false, false)]
    [InlineData("None", null, false, false, false)]
    [InlineData("None", "None", false, false, false)]
    [InlineData("All", null, true, false, false)]
    [InlineData("SecurityGroup", null, true, false, true)]
    [InlineData(null, "All", false, true, false)]
    [InlineData("None", "SecurityGroup", false, true, true)]
    [InlineData("All", "All", true, true, false)]
    [InlineData("All", "SecurityGroup", true, true, true)]
    [InlineData("SecurityGroup", "All", true, true, true)]
    [InlineData("securitygroup", " all ", true, true, true)]
    [InlineData("DirectoryRole", "ApplicationGroup", false, false, false)]
    [InlineData("", "", false, false, false)]
    public void Requested_ClientAndApiSettings_WhichTokensAndWhichGroups(
        string? client, string? resource, bool idToken, bool accessToken, bool securityOnly)
    {
        var request = GroupClaims.Requested(client, resource);
        Assert.Equal(new GroupClaimRequest(idToken, accessToken, securityOnly && (idToken || accessToken)), request);
        Assert.Equal(idToken || accessToken, request.Any);
    }

    [Theory]
    // groups the user is in, limit → listed, overage
    [InlineData(0, GroupClaims.JwtLimit, 0, false)]
    [InlineData(1, GroupClaims.JwtLimit, 1, false)]
    [InlineData(200, GroupClaims.JwtLimit, 200, false)]
    [InlineData(201, GroupClaims.JwtLimit, 0, true)]
    [InlineData(5000, GroupClaims.JwtLimit, 0, true)]
    [InlineData(3, 3, 3, false)]
    [InlineData(4, 3, 0, true)]
    [InlineData(1, 0, 0, true)]
    public void Decide_GroupCountAgainstLimit_ListOrOveragePointer(int count, int limit, int listed, bool overage)
    {
        var request = new GroupClaimRequest(IdToken: true, AccessToken: true, SecurityGroupsOnly: false);
        var claim = GroupClaims.Decide(request, Ids(count), Endpoint, limit);
        Assert.Equal(listed, claim.Groups.Count);
        Assert.Equal(overage, claim.Overage);
        Assert.Equal(overage ? Endpoint : null, claim.OverageEndpoint);
        Assert.True(claim.IdToken);
        Assert.True(claim.AccessToken);
    }

    [Fact]
    public void Decide_Listed_KeepsTheIdsInOrderOnce()
    {
        var claim = GroupClaims.Decide(new GroupClaimRequest(false, true, false), ["b", "a", "b"], Endpoint);
        Assert.Equal(["b", "a"], claim.Groups);
        Assert.False(claim.IdToken);
        Assert.True(claim.AccessToken);
    }

    [Fact]
    public void Decide_NobodyAsked_NoClaimWhateverTheGroups()
    {
        Assert.Same(GroupClaim.None, GroupClaims.Decide(GroupClaimRequest.Nobody, Ids(3), Endpoint));
        Assert.Same(GroupClaim.None, GroupClaims.Decide(GroupClaimRequest.Nobody, Ids(GroupClaims.JwtLimit + 1), Endpoint));
    }

    [Fact]
    public void JwtLimit_IsEntraIdsTwoHundred() => Assert.Equal(200, GroupClaims.JwtLimit);
}
