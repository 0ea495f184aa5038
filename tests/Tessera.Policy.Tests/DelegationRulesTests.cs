using Tessera.Policy.Delegation;
using Tessera.Policy.Scopes;

namespace Tessera.Policy.Tests;

public sealed class DelegationRulesTests
{
    private const string MiddleTier = "7d0c5a0e-5a3c-4f7e-9c1e-1f0b8f1c2d3e";
    private const string WebApp = "0b6f3e7a-2c1d-4e5f-8a9b-0c1d2e3f4a5b";

    [Theory]
    // audiences, idtyp → code
    [InlineData(MiddleTier, "user", null)]
    [InlineData(MiddleTier, "app", "TSR2061")]
    [InlineData(MiddleTier, null, "TSR2061")]
    [InlineData(WebApp, "user", "TSR2060")]
    [InlineData(WebApp, "app", "TSR2060")]
    [InlineData("", "user", "TSR2060")]
    public void CheckUserToken_AudienceAndIdentityType_Decision(string audience, string? identityType, string? code)
    {
        string[] audiences = audience.Length == 0 ? [] : [audience];

        var error = DelegationRules.CheckUserToken(DelegationGrant.OnBehalfOf, audiences, identityType, MiddleTier);

        Assert.Equal(code, error?.Code);
        Assert.Equal(code is null ? null : "invalid_grant", error?.OAuthError);
    }

    [Theory]
    [InlineData(DelegationGrant.OnBehalfOf, "'assertion'")]
    [InlineData(DelegationGrant.TokenExchange, "'subject_token'")]
    public void CheckUserToken_Refusal_NamesTheParameterOfTheGrant(DelegationGrant grant, string parameter)
    {
        var error = DelegationRules.CheckUserToken(grant, [WebApp], "user", MiddleTier);

        Assert.Contains(parameter.Trim('\''), error!.Description, StringComparison.Ordinal);
        Assert.Contains(WebApp, error.Description, StringComparison.Ordinal);
    }

    [Theory]
    // scope, resource, audience → scopes | code
    [InlineData("api://orders/Orders.Read", "", "", "api://orders/Orders.Read", null)]
    [InlineData("", "api://orders", "", "api://orders/.default", null)]
    [InlineData("", "", "api://orders", "api://orders/.default", null)]
    [InlineData("", "api://orders/", "api://orders", "api://orders/.default", null)]
    [InlineData("openid", "api://orders", "", "openid api://orders/.default", null)]
    [InlineData("api://orders/Orders.Read", "api://orders", "", "api://orders/Orders.Read", null)]
    [InlineData("api://orders/Orders.Read", "api://billing", "", null, "TSR2056")]
    [InlineData("", "api://orders", "api://billing", null, "TSR2056")]
    [InlineData("", "", "", "", null)]
    public void ResolveExchangeTarget_ScopeResourceAudience_Scopes(string scope, string resource, string audience, string? expected, string? code)
    {
        static string[] Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var result = DelegationRules.ResolveExchangeTarget(Split(scope), Split(resource), Split(audience));

        Assert.Equal(code, result.Error?.Code);
        Assert.Equal(expected, result.Scopes is null ? null : string.Join(' ', result.Scopes));
    }

    [Theory]
    // grant, requested, granted API scopes, granted OpenID scopes → principal scopes | scp
    [InlineData(DelegationGrant.OnBehalfOf, "api://orders/Orders.Read api://orders/Orders.ReadWrite", "Orders.Read", "", "api://orders/Orders.Read", "Orders.Read")]
    [InlineData(DelegationGrant.OnBehalfOf, "api://orders/.default", "Orders.Read Orders.ReadWrite", "", "api://orders/.default", "Orders.Read Orders.ReadWrite")]
    [InlineData(DelegationGrant.OnBehalfOf, "api://orders/.default openid profile offline_access", "Orders.Read", "offline_access", "offline_access api://orders/.default", "Orders.Read")]
    [InlineData(DelegationGrant.TokenExchange, "api://orders/.default openid offline_access", "Orders.Read", "openid offline_access", "api://orders/.default", "Orders.Read")]
    [InlineData(DelegationGrant.OnBehalfOf, "api://orders/Orders.ReadWrite", "Orders.Read", "", "", "")]
    [InlineData(DelegationGrant.OnBehalfOf, "api://orders/.default offline_access", "", "offline_access", "", "")]
    public void Decide_RequestedAndGranted_TokenCarriesTheIntersection(
        DelegationGrant grant, string requested, string grantedApi, string grantedOpenId, string scopes, string scp)
    {
        static string[] Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var request = ScopeRequest.Parse(Split(requested)).Request!;

        // ConsentService hands over the granted API scopes already cut to the request.
        var granted = request.IsDefault ? Split(grantedApi) : Split(grantedApi).Where(request.ResourceScopes.Contains).ToArray();
        var decision = DelegationRules.Decide(grant, request, granted, Split(grantedOpenId));

        Assert.Equal(scopes, string.Join(' ', decision.Scopes));
        Assert.Equal(scp, string.Join(' ', decision.ApiScopes));
        Assert.Equal(scp.Length == 0, decision.NothingGranted);
    }
}
