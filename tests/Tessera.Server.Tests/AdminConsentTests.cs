using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// <c>/{tenant}/v2.0/adminconsent</c>: an administrator grants what an application declares, for everyone: delegated
/// scopes as a grant for all users, application permissions as app role assignments.
/// </summary>
public sealed class AdminConsentTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private async Task<(Application Api, CodeFlowClient Client, string Identifier)> DeclaringClientAsync()
    {
        var identifier = "api://adminconsent-" + Guid.NewGuid().ToString("N")[..8];
        var api = await server.Directory.RegisterApiAsync(identifier);
        var client = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.QueryAsync(async db =>
        {
            var app = await db.Applications.SingleAsync(a => a.AppId == client.Application.AppId);
            app.RequiredResourceAccess =
            [
                new RequiredResourceAccess
                {
                    ResourceAppId = api.AppId,
                    ResourceAccess =
                    [
                        new ResourceAccess { Id = api.Oauth2PermissionScopes.Single(s => s.Value == "Orders.ReadFull").Id, Type = "Scope" },
                        new ResourceAccess { Id = api.AppRoles.Single(r => r.Value == "Orders.Read.All").Id, Type = "Role" },
                    ],
                },
            ];
            return await db.SaveChangesAsync();
        });
        return (api, client, identifier);
    }

    private string AdminConsentUrl(CodeFlowClient client, string? redirectUri = null, string? scope = null)
        => QueryHelpers.AddQueryString($"{server.Authority}/adminconsent", new Dictionary<string, string?>
        {
            ["client_id"] = client.ClientId,
            ["redirect_uri"] = redirectUri ?? client.Redirect,
            ["state"] = "xyz",
        }.Concat(scope is null ? [] : [new KeyValuePair<string, string?>("scope", scope)]));

    private async Task<Tessera.Directory.Users.DirectoryUser> AdministratorAsync(params AdminRole[] roles)
    {
        var admin = await server.Directory.CreateUserAsync();
        foreach (var role in roles)
        {
            await server.Directory.AssignAdminRoleAsync(admin.Id, role.TemplateId);
        }

        return admin;
    }

    [Fact]
    public async Task AdminConsent_Administrator_GrantsDeclaredScopesAndAppRolesAndReturnsToTheApp()
    {
        var (api, client, identifier) = await DeclaringClientAsync();
        var admin = await AdministratorAsync(AdminRoles.GlobalAdministrator);

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(AdminConsentUrl(client), admin.UserName);

        Assert.NotNull(outcome.Redirect);
        Assert.Equal("True", outcome.Query["admin_consent"]);
        Assert.Equal(server.TenantId.ToString("D"), outcome.Query["tenant"]);
        Assert.Equal("xyz", outcome.Query["state"]);
        var grant = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.SingleAsync(g => g.ClientId == client.Application.AppId && g.ResourceId == api.AppId));
        Assert.Equal(ConsentTypes.AllPrincipals, grant.ConsentType);
        Assert.Equal("Orders.ReadFull", grant.Scope);

        // The application permission works at once: client credentials get the role.
        using var http = server.CreateHttpClient();
        var appToken = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(("grant_type", "client_credentials"), ("scope", $"{identifier}/.default")));
        appToken.AssertSuccess();
        Assert.Contains("Orders.Read.All", appToken.Access.GetPayloadValue<string[]>("roles"));

        // And a user is never asked for the admin-only scope.
        var user = await server.Directory.CreateUserAsync();
        await server.Directory.GrantConsentAsync(client.Application.AppId, await server.Directory.AdminApiAppIdAsync(), "openid");
        var (code, pkce, userBrowser) = await client.SignInAsync(user.UserName!, $"openid {identifier}/Orders.ReadFull");
        userBrowser.Dispose();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        Assert.Equal("Orders.ReadFull", tokens.Access.GetClaim("scp").Value);
    }

    [Fact]
    public async Task AdminConsent_ApplicationAdministratorWithoutAppRoleAssignment_RefusedForApplicationPermissions()
    {
        var (_, client, _) = await DeclaringClientAsync();
        var admin = await AdministratorAsync(AdminRoles.CloudApplicationAdministrator);

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(AdminConsentUrl(client), admin.UserName);

        Assert.Equal("access_denied", outcome.Query["error"]);
        Assert.StartsWith("TSR2040", outcome.Query["error_description"], StringComparison.Ordinal);
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.ClientId == client.Application.AppId)));
        Assert.False(await server.Directory.QueryAsync(db => db.AppRoleAssignments.AnyAsync(a => a.PrincipalId == client.Application.AppId)));
    }

    [Fact]
    public async Task AdminConsent_ScopeParameter_GrantsOnlyTheNamedDelegatedScopes()
    {
        var (api, client, identifier) = await DeclaringClientAsync();
        var admin = await AdministratorAsync(AdminRoles.CloudApplicationAdministrator);

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(AdminConsentUrl(client, scope: $"{identifier}/Orders.Read"), admin.UserName);

        Assert.Equal("True", outcome.Query["admin_consent"]);
        var grant = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.SingleAsync(g => g.ClientId == client.Application.AppId && g.ResourceId == api.AppId));
        Assert.Equal("Orders.Read", grant.Scope);
    }

    [Fact]
    public async Task AdminConsent_OrdinaryUser_AccessDeniedToTheAppAndNothingGranted()
    {
        var (_, client, _) = await DeclaringClientAsync();
        var user = await server.Directory.CreateUserAsync();

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(AdminConsentUrl(client), user.UserName);

        Assert.Equal("access_denied", outcome.Query["error"]);
        Assert.StartsWith("TSR2040", outcome.Query["error_description"], StringComparison.Ordinal);
        Assert.Equal("xyz", outcome.Query["state"]);
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.ClientId == client.Application.AppId)));
    }

    [Fact]
    public async Task AdminConsent_Cancel_AccessDeniedAndNothingGranted()
    {
        var (_, client, _) = await DeclaringClientAsync();
        var admin = await AdministratorAsync(AdminRoles.GlobalAdministrator);

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(AdminConsentUrl(client), admin.UserName, consent: false);

        Assert.Equal("access_denied", outcome.Query["error"]);
        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.ClientId == client.Application.AppId)));
    }

    [Theory]
    [InlineData("unregistered-redirect", "TSR2039")]
    [InlineData("unknown-client", "TSR2004")]
    [InlineData("nothing-declared", "TSR2041")]
    [InlineData("unknown-scope", "TSR2013")]
    public async Task AdminConsent_BadRequest_ClearErrorAndNothingGranted(string problem, string code)
    {
        var (_, client, identifier) = await DeclaringClientAsync();
        var bare = await CodeFlowClient.RegisterAsync(server);
        var url = problem switch
        {
            "unregistered-redirect" => AdminConsentUrl(client, redirectUri: "https://evil.example.com/cb"),
            "unknown-client" => AdminConsentUrl(client).Replace(client.ClientId, Guid.NewGuid().ToString(), StringComparison.Ordinal),
            "nothing-declared" => AdminConsentUrl(bare),
            _ => AdminConsentUrl(client, scope: $"{identifier}/Orders.Delete"),
        };
        var admin = await AdministratorAsync(AdminRoles.GlobalAdministrator);

        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(url, admin.UserName);

        Assert.Contains(code, outcome.ErrorText, StringComparison.Ordinal);
        if (outcome.Redirect is not null)
        {
            Assert.StartsWith(CodeFlowClient.RedirectUri, outcome.Redirect.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, outcome.LastResponse.StatusCode);
        }

        Assert.False(await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.AnyAsync(g => g.ClientId == client.Application.AppId || g.ClientId == bare.Application.AppId)));
    }
}
