using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Directory.Applications;
using Tessera.Directory.Tenants;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// An application registered in one tenant and used in another: only when it is multitenant, and only through
/// consent there, which gives it a service principal in that tenant. Its tokens there carry that tenant.
/// </summary>
public sealed class MultitenantTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private async Task<(TestDirectory Other, CodeFlowClient Client)> ArrangeAsync(bool multitenant, string otherPolicy)
    {
        var other = await server.Directory.CreateTenantAsync($"mt-{Guid.NewGuid():N}"[..15] + ".example");
        await other.QueryAsync(db => db.Tenants.Where(t => t.Id == other.TenantId)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UserConsentPolicy, otherPolicy)));
        var client = await CodeFlowClient.RegisterAsync(server);
        if (multitenant)
        {
            await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == client.Application.AppId)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.SignInAudience, SignInAudiences.MultiTenant)));
            server.App.Web.Services.GetRequiredService<Tessera.Server.Clients.ClientDirectory>().Forget(client.Application.AppId);
        }

        return (other, client);
    }

    private string InTenant(string url, Guid tenantId) => url.Replace(server.TenantId.ToString("D"), tenantId.ToString("D"), StringComparison.Ordinal);

    private Task<bool> PresentAsync(TestDirectory other, Guid appId)
        => other.QueryAsync(db => db.TenantServicePrincipals.AnyAsync(p => p.TenantId == other.TenantId && p.AppId == appId));

    [Fact]
    public async Task SingleTenantApp_UsedFromAnotherTenant_RefusedAndNothingCreated()
    {
        var (other, client) = await ArrangeAsync(multitenant: false, UserConsentPolicies.AllUserConsentable);
        var user = await other.CreateUserAsync();

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(InTenant(client.AuthorizeUrl(Pkce.Create()), other.TenantId), user.UserName);

        Assert.False(outcome.Query.ContainsKey("code"));
        Assert.Contains("TSR2004", outcome.ErrorText, StringComparison.Ordinal);
        Assert.False(await PresentAsync(other, client.Application.AppId));
    }

    [Fact]
    public async Task MultitenantApp_UserOfAnotherTenantConsents_ServicePrincipalCreatedAndTokensCarryThatTenant()
    {
        var (other, client) = await ArrangeAsync(multitenant: true, UserConsentPolicies.AllUserConsentable);
        var user = await other.CreateUserAsync();
        Assert.False(await PresentAsync(other, client.Application.AppId));

        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(InTenant(client.AuthorizeUrl(pkce), other.TenantId), user.UserName);
        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        Assert.True(await PresentAsync(other, client.Application.AppId));

        using var http = server.CreateHttpClient();
        var tokens = await TokenClient.PostAsync(http, InTenant(server.TokenEndpoint, other.TenantId), client.WithAuthentication(
            ("grant_type", "authorization_code"), ("code", outcome.Query["code"]), ("code_verifier", pkce.Verifier), ("redirect_uri", client.Redirect)));
        tokens.AssertSuccess();
        Assert.Equal(other.TenantId.ToString("D"), tokens.Access.GetClaim("tid").Value);
        Assert.Equal($"{server.Origin}/{other.TenantId:D}/v2.0", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.IdToken!).Issuer);
        var grant = await other.QueryAsync(db => db.OAuth2PermissionGrants.SingleAsync(g => g.ClientId == client.Application.AppId));
        Assert.Equal(other.TenantId, grant.TenantId);
    }

    [Fact]
    public async Task UnverifiedMultitenantApp_DefaultPolicyOfTheOtherTenant_UserCannotBringItIn()
    {
        var (other, client) = await ArrangeAsync(multitenant: true, UserConsentPolicies.LowRiskVerifiedPublishers);
        var user = await other.CreateUserAsync();

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(InTenant(client.AuthorizeUrl(Pkce.Create()), other.TenantId), user.UserName);

        Assert.Contains("Unverified publisher", outcome.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"accept\"", outcome.Body, StringComparison.Ordinal);
        Assert.False(await PresentAsync(other, client.Application.AppId));
    }

    [Fact]
    public async Task MultitenantApp_ClientCredentialsInAnotherTenant_RefusedUntilPresentThenUsesThatTenantsAssignments()
    {
        var (other, client) = await ArrangeAsync(multitenant: true, UserConsentPolicies.AllUserConsentable);
        var identifier = "api://mt-" + Guid.NewGuid().ToString("N")[..8];
        var api = await other.RegisterApiAsync(identifier);
        using var http = server.CreateHttpClient();
        var endpoint = InTenant(server.TokenEndpoint, other.TenantId);

        var before = await TokenClient.PostAsync(http, endpoint, client.WithAuthentication(("grant_type", "client_credentials"), ("scope", $"{identifier}/.default")));
        before.AssertError("unauthorized_client", "TSR2042");

        var user = await other.CreateUserAsync();
        using (var browser = new UserAgent(server))
        {
            var consented = await browser.AuthorizeAsync(InTenant(client.AuthorizeUrl(Pkce.Create()), other.TenantId), user.UserName);
            Assert.True(consented.Query.ContainsKey("code"), consented.ErrorText);
        }

        await other.AssignAsync(client.Application.AppId, "ServicePrincipal", api.AppId, "Orders.Read.All");
        var after = await TokenClient.PostAsync(http, endpoint, client.WithAuthentication(("grant_type", "client_credentials"), ("scope", $"{identifier}/.default")));
        after.AssertSuccess();
        Assert.Equal(other.TenantId.ToString("D"), after.Access.GetClaim("tid").Value);
        Assert.Contains("Orders.Read.All", after.Access.GetPayloadValue<string[]>("roles"));
    }
}
