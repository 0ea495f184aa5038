using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Least privilege through consent: a token carries what was asked for AND granted; who may grant is the tenant's
/// consent policy; administrators grant for everyone; users revoke their own grants on My apps.
/// </summary>
public sealed class ConsentTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private async Task SetPolicyAsync(string policy)
        => await server.Directory.SetUserConsentPolicyAsync(policy);

    private async Task<(Application Api, CodeFlowClient Client, string Identifier)> ApiAndClientAsync(params string[] declared)
    {
        var identifier = "api://consent-" + Guid.NewGuid().ToString("N")[..8];
        var api = await server.Directory.RegisterApiAsync(identifier);
        var client = await CodeFlowClient.RegisterAsync(server);
        if (declared.Length > 0)
        {
            var access = declared.Select(v => new ResourceAccess { Id = api.Oauth2PermissionScopes.Single(s => s.Value == v).Id, Type = "Scope" }).ToList();
            await server.Directory.QueryAsync(async db =>
            {
                var app = await db.Applications.SingleAsync(a => a.AppId == client.Application.AppId);
                app.RequiredResourceAccess = [new RequiredResourceAccess { ResourceAppId = api.AppId, ResourceAccess = access }];
                return await db.SaveChangesAsync();
            });
        }

        return (api, client, identifier);
    }

    private async Task<TokenResponse> SignInAndRedeemAsync(CodeFlowClient client, string userName, string scope)
    {
        var (code, pkce, browser) = await client.SignInAsync(userName, scope);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return tokens;
    }

    private static string Scp(TokenResponse tokens) => tokens.Access.TryGetClaim("scp", out var scp) ? scp.Value : string.Empty;

    [Fact]
    public async Task Default_OnlyReadGrantedOfReadAndWriteDeclared_TokenCarriesReadOnlyWithoutAsking()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (api, client, identifier) = await ApiAndClientAsync("Orders.Read", "Orders.ReadWrite");
        await server.Directory.GrantConsentAsync(client.Application.AppId, api.AppId, "Orders.Read");
        var user = await server.Directory.CreateUserAsync();

        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce, $"{identifier}/.default"), user.UserName, consent: false);

        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
        tokens.AssertSuccess();
        Assert.Equal("Orders.Read", Scp(tokens));
        Assert.Equal(api.AppId.ToString("D"), Assert.Single(tokens.Access.Audiences));
    }

    [Fact]
    public async Task Default_NothingGrantedYet_AsksForTheDeclaredPermissionsThenCarriesThem()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (_, client, identifier) = await ApiAndClientAsync("Orders.Read", "Orders.ReadWrite");
        var user = await server.Directory.CreateUserAsync();

        var tokens = await SignInAndRedeemAsync(client, user.UserName!, $"openid {identifier}/.default");

        Assert.Equal("Orders.Read Orders.ReadWrite", Scp(tokens));
        var grant = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.SingleAsync(g => g.ClientId == client.Application.AppId && g.PrincipalId == user.Id && g.ResourceId != g.TenantId && g.Scope.Contains("Orders")));
        Assert.Equal(ConsentTypes.Principal, grant.ConsentType);
    }

    [Fact]
    public async Task Incremental_AskingForMoreLater_ConsentsToTheNewScopeOnly()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (api, client, identifier) = await ApiAndClientAsync();
        var user = await server.Directory.CreateUserAsync();
        Assert.Equal("Orders.Read", Scp(await SignInAndRedeemAsync(client, user.UserName!, $"openid {identifier}/Orders.Read")));

        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce, $"openid {identifier}/Orders.ReadWrite"), user.UserName);

        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        var scopes = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants
            .Where(g => g.ClientId == client.Application.AppId && g.ResourceId == api.AppId && g.PrincipalId == user.Id).Select(g => g.Scope).SingleAsync());
        Assert.Equal("Orders.Read Orders.ReadWrite", scopes);
    }

    [Fact]
    public async Task Refresh_GrantNarrowedSinceSignIn_TokenLosesTheRemovedScope()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (api, client, identifier) = await ApiAndClientAsync();
        var user = await server.Directory.CreateUserAsync();
        var tokens = await SignInAndRedeemAsync(client, user.UserName!, $"openid offline_access {identifier}/Orders.Read {identifier}/Orders.ReadWrite");
        Assert.Equal("Orders.Read Orders.ReadWrite", Scp(tokens));

        await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.Where(g => g.ResourceId == api.AppId && g.PrincipalId == user.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(g => g.Scope, "Orders.Read")));
        using var http = server.CreateHttpClient();
        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);

        refreshed.AssertSuccess();
        Assert.Equal("Orders.Read", Scp(refreshed));
    }

    [Fact]
    public async Task WriteNotLowRisk_UserUnderDefaultPolicy_IsAskedToRequestApproval()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (api, client, identifier) = await ApiAndClientAsync();
        await server.Directory.ClassifyAsync(api, "Orders.ReadWrite", "medium");
        var user = await server.Directory.CreateUserAsync();

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.ReadWrite"), user.UserName);

        Assert.Null(outcome.Redirect);
        Assert.Contains("id=\"needs-admin\"", outcome.Body, StringComparison.Ordinal);
        Assert.Contains("not rated low-risk", outcome.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"accept\"", outcome.Body, StringComparison.Ordinal);

        // prompt=none, same signed-in browser: the client hears consent_required instead of a page.
        var none = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.ReadWrite", extra: new Dictionary<string, string?> { ["prompt"] = "none" }), user.UserName);
        Assert.Equal("consent_required", none.Query.GetValueOrDefault("error"));
    }

    [Fact]
    public async Task RequestApproval_UserSubmits_ClientToldToWaitAndAdminsSeeTheRequest()
    {
        await SetPolicyAsync(UserConsentPolicies.None);
        var (api, client, identifier) = await ApiAndClientAsync();
        var user = await server.Directory.CreateUserAsync();

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.Read"), user.UserName);
        Assert.Contains("only administrators grant", outcome.Body, StringComparison.Ordinal);
        var sent = await browser.SubmitAsync(outcome.LastResponse, outcome.Body!, [new("decision", "request"), new("reason", "I need to read orders")]);
        Assert.Equal(HttpStatusCode.SeeOther, sent.StatusCode);
        var back = await browser.SendAsync(HttpMethod.Get, new Uri(sent.RequestMessage!.RequestUri!, sent.Headers.Location!).ToString());

        var redirect = back.Headers.Location!.ToString();
        Assert.StartsWith(CodeFlowClient.RedirectUri, redirect, StringComparison.Ordinal);
        Assert.Contains("error=access_denied", redirect, StringComparison.Ordinal);
        Assert.Contains("TSR2038", Uri.UnescapeDataString(redirect), StringComparison.Ordinal);
        var requests = await server.Directory.QueryAsync(db => db.AdminConsentRequests.Where(r => r.RequestedById == user.Id).ToListAsync());
        Assert.Equal(2, requests.Count); // the sign-in scopes and the API's, one request per resource
        var forApi = Assert.Single(requests, r => r.ResourceId == api.AppId);
        Assert.Equal("Orders.Read", forApi.Scope);
        Assert.Equal("I need to read orders", forApi.Reason);
        Assert.Equal(AdminConsentRequestStatuses.InProgress, forApi.Status);
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.PrincipalId == user.Id)));
    }

    [Fact]
    public async Task PostingAcceptAnyway_WhenOnlyAnAdminMayGrant_403AndNothingGranted()
    {
        await SetPolicyAsync(UserConsentPolicies.None);
        var (_, client, identifier) = await ApiAndClientAsync();
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.Read"), user.UserName);

        var forced = await browser.SubmitAsync(outcome.LastResponse, outcome.Body!, [new("decision", "accept")]);

        Assert.Equal(HttpStatusCode.Forbidden, forced.StatusCode);
        Assert.Contains("You may not grant these permissions yourself", await forced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.PrincipalId == user.Id)));
    }

    [Fact]
    public async Task UnverifiedMultitenantApp_BlockedUnderDefault_AllowedOnceThePublisherIsVerified()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (_, client, identifier) = await ApiAndClientAsync();
        await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == client.Application.AppId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.SignInAudience, SignInAudiences.MultiTenant)));
        var user = await server.Directory.CreateUserAsync();

        using var browser = new UserAgent(server);
        var blocked = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.Read"), user.UserName);
        Assert.Contains("Unverified publisher", blocked.Body, StringComparison.Ordinal);
        Assert.Contains("publisher is not verified", blocked.Body, StringComparison.Ordinal);

        await server.Directory.QueryAsync(async db =>
        {
            var app = await db.Applications.SingleAsync(a => a.AppId == client.Application.AppId);
            app.VerifiedPublisher = new VerifiedPublisher { DisplayName = "Contoso", VerifiedPublisherId = "1234567", AddedDateTime = DateTimeOffset.UtcNow };
            return await db.SaveChangesAsync();
        });
        using var again = new UserAgent(server);
        var allowed = await again.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.Read"), user.UserName);
        Assert.True(allowed.Query.ContainsKey("code"), allowed.ErrorText);
    }

    [Fact]
    public async Task AdminOnlyScope_OrdinaryUserBlocked_AdministratorGrantsForEveryone_OthersNotAsked()
    {
        await SetPolicyAsync(UserConsentPolicies.AllUserConsentable);
        var (api, client, identifier) = await ApiAndClientAsync();
        var scope = $"openid {identifier}/Orders.ReadFull";
        var user = await server.Directory.CreateUserAsync();
        using (var browser = new UserAgent(server))
        {
            var blocked = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), scope), user.UserName);
            Assert.Contains("only an administrator can grant", blocked.Body, StringComparison.Ordinal);
        }

        var admin = await server.Directory.CreateUserAsync();
        await server.Directory.AssignAdminRoleAsync(admin.Id, AdminRoles.CloudApplicationAdministrator.TemplateId);
        using (var browser = new UserAgent(server))
        {
            var granted = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), scope), admin.UserName, forEveryone: true);
            Assert.True(granted.Query.ContainsKey("code"), granted.ErrorText);
        }

        var grant = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.SingleAsync(g => g.ClientId == client.Application.AppId && g.ResourceId == api.AppId));
        Assert.Equal(ConsentTypes.AllPrincipals, grant.ConsentType);
        Assert.Equal("Orders.ReadFull", grant.Scope);
        Assert.Equal("Orders.ReadFull", Scp(await SignInAndRedeemAsync(client, user.UserName!, scope)));

        var audited = await server.Directory.QueryAsync(db => db.AuditEntries.Where(e => e.ActivityDisplayName == "Consent to application" && e.TargetResources.Contains(client.Application.AppId.ToString())).CountAsync());
        Assert.True(audited >= 1);
    }

    [Fact]
    public async Task MyApps_UserRevokes_RefreshFailsAndTheAppMustAskAgain()
    {
        await SetPolicyAsync(UserConsentPolicies.LowRiskVerifiedPublishers);
        var (_, client, identifier) = await ApiAndClientAsync();
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, $"openid offline_access {identifier}/Orders.Read");
        using (browser)
        {
            using var http = server.CreateHttpClient();
            var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
            tokens.AssertSuccess();

            var page = await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/myapps");
            var body = await page.Content.ReadAsStringAsync();
            Assert.Contains(client.Application.DisplayName, body, StringComparison.Ordinal);
            var revoked = await browser.SubmitAsync(page, body, [new("clientId", client.Application.AppId.ToString())], $"{server.TenantBase}/myapps?handler=revoke");
            Assert.Equal(HttpStatusCode.SeeOther, revoked.StatusCode);

            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");
            Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.PrincipalId == user.Id)));
            var again = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {identifier}/Orders.Read"), user.UserName, consent: false);
            Assert.Equal("access_denied", again.Query.GetValueOrDefault("error"));
        }
    }
}
