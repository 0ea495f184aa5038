using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Directory.Applications;
using System.Net;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Admin;
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
        await other.SetUserConsentPolicyAsync(otherPolicy);
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

    /// <summary>A multitenant application registered in another tenant, brought into the server's first tenant by a user's consent.</summary>
    private async Task<CodeFlowClient> ForeignAppConsentedHereAsync()
    {
        await server.Directory.SetUserConsentPolicyAsync(UserConsentPolicies.AllUserConsentable);
        var home = await server.Directory.CreateTenantAsync($"home-{Guid.NewGuid():N}"[..17] + ".example");
        var client = await CodeFlowClient.RegisterAsync(server, home);
        await home.QueryAsync(db => db.Applications.Where(a => a.AppId == client.Application.AppId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.SignInAudience, SignInAudiences.MultiTenant)));
        server.App.Web.Services.GetRequiredService<Tessera.Server.Clients.ClientDirectory>().Forget(client.Application.AppId);
        var user = await server.Directory.CreateUserAsync();
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        return client;
    }

    [Fact]
    public async Task AdminApi_ForeignServicePrincipal_ListedReadDisabledAndRemoved()
    {
        var client = await ForeignAppConsentedHereAsync();
        var id = client.Application.AppId.ToString();
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);

        var listed = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals?$filter=appId eq '{id}'");
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        var principal = Assert.Single(listed.Json!["value"]!.AsArray())!;
        Assert.Equal(client.Application.TenantId.ToString(), principal["appOwnerOrganizationId"]!.GetValue<string>());
        Assert.True(principal["accountEnabled"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Patch, $"servicePrincipals/{id}", new { accountEnabled = false })).StatusCode);
        var read = await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{id}");
        Assert.False(read.Json!["accountEnabled"]!.GetValue<bool>());
        Assert.True(await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == client.Application.AppId).Select(a => a.ServicePrincipalEnabled).SingleAsync()),
            "Disabling it here leaves its home tenant alone.");
        using var http = server.CreateHttpClient();
        var api = await server.Directory.RegisterApiAsync("api://mt-admin-" + Guid.NewGuid().ToString("N")[..6]);
        var disabled = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(("grant_type", "client_credentials"), ("scope", $"{api.IdentifierUris[0]}/.default")));
        disabled.AssertError("invalid_client", "TSR2028");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"servicePrincipals/{id}")).StatusCode);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"servicePrincipals/{id}"));
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.TenantId == server.TenantId && g.ClientId == client.Application.AppId)));
        var removed = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(("grant_type", "client_credentials"), ("scope", $"{api.IdentifierUris[0]}/.default")));
        removed.AssertError("unauthorized_client", "TSR2042");
        Assert.True(await server.Directory.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.ActivityDisplayName == "Remove service principal" && e.TargetResources.Contains(id))));
    }

    [Fact]
    public async Task AdminApi_ForeignServicePrincipal_GetsApplicationPermissionsHere()
    {
        var client = await ForeignAppConsentedHereAsync();
        var identifier = "api://mt-role-" + Guid.NewGuid().ToString("N")[..6];
        var api = await server.Directory.RegisterApiAsync(identifier);
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AppRoleAssignmentReadWriteAll);

        var assigned = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{api.AppId}/appRoleAssignedTo", new
        {
            principalId = client.Application.AppId, resourceId = api.AppId, appRoleId = api.AppRoles.Single(r => r.Value == "Orders.Read.All").Id,
        });

        Assert.Equal(HttpStatusCode.Created, assigned.Status);
        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(("grant_type", "client_credentials"), ("scope", $"{identifier}/.default")));
        token.AssertSuccess();
        Assert.Equal(server.TenantId.ToString("D"), token.Access.GetClaim("tid").Value);
        Assert.Contains("Orders.Read.All", token.Access.GetPayloadValue<string[]>("roles"));
    }

    [Fact]
    public async Task AdminApi_DeletingAHomeServicePrincipal_400PointsToTheApplication()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.ApplicationReadWriteAll);

        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3120", await admin.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{client.Application.AppId}"));
        Assert.True(await server.Directory.QueryAsync(db => db.Applications.AnyAsync(a => a.AppId == client.Application.AppId)));
    }
}
