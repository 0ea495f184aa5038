using System.Net;
using Tessera.Directory.Applications;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Service principal switches in the protocol, set through the admin API as an administrator would:
/// a disabled application gets nothing, a disabled API is no audience, and an API or application that requires
/// assignment admits only assigned applications and users.
/// </summary>
public sealed class ServicePrincipalEnforcementTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private Task<Application> RegisterApiAsync() => server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..8]);

    private static Guid Role(Application api, string value) => api.AppRoles.Single(r => r.Value == value).Id;

    private async Task PatchAsync(Guid appId, object body)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, json) = await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{appId}", body);
        Assert.True(status == HttpStatusCode.NoContent, json?.ToJsonString());
    }

    private async Task<string> GrantAsync(Guid principalId, Application resource, Guid appRoleId)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, json) = await admin.JsonAsync(HttpMethod.Post, $"servicePrincipals/{resource.AppId}/appRoleAssignedTo",
            new { principalId = principalId.ToString(), resourceId = resource.AppId.ToString(), appRoleId = appRoleId.ToString() });
        Assert.True(status == HttpStatusCode.Created, json?.ToJsonString());
        return json!["id"]!.GetValue<string>();
    }

    private async Task RevokeAsync(Application resource, string assignmentId)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{resource.AppId}/appRoleAssignedTo/{assignmentId}")).Status);
    }

    private async Task<(Application App, string Secret)> RegisterDaemonAsync()
    {
        var daemon = await server.Directory.RegisterAsync(new NewApplication("daemon " + Guid.NewGuid().ToString("N")[..6]));
        return (daemon, await server.Directory.AddSecretAsync(daemon.AppId));
    }

    private async Task<TokenResponse> ClientCredentialsAsync(Guid clientId, string secret, string resource)
    {
        using var http = server.CreateHttpClient();
        return await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", clientId.ToString()), ("client_secret", secret), ("scope", resource + "/.default"));
    }

    private async Task<AuthorizationOutcome> AuthorizeAsync(CodeFlowClient client, string userName, string scope)
    {
        using var browser = new UserAgent(server);
        return await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), scope), userName);
    }

    private static void AssertRedirectError(AuthorizationOutcome outcome, string error, string code)
    {
        Assert.True(outcome.Redirect is not null, $"Expected a redirect to the client; got {(int)outcome.LastResponse.StatusCode}: {outcome.Body}");
        Assert.Equal(error, outcome.Query.GetValueOrDefault("error"));
        Assert.StartsWith(code, outcome.Query.GetValueOrDefault("error_description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledClient_ClientCredentials_InvalidClientAtOnceAndBackWhenEnabled()
    {
        var api = await RegisterApiAsync();
        var (daemon, secret) = await RegisterDaemonAsync();
        (await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0])).AssertSuccess();

        // The token request above cached the client; the PATCH evicts it, so the very next request sees the change.
        await PatchAsync(daemon.AppId, new { accountEnabled = false });
        (await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0])).AssertError("invalid_client", "TSR2028");

        // A wrong secret still reads as a wrong secret: the disabled state is not told to whoever merely knows the id.
        var wrong = await ClientCredentialsAsync(daemon.AppId, secret + "x", api.IdentifierUris[0]);
        wrong.AssertError("invalid_client");
        Assert.DoesNotContain("TSR2028", wrong.ErrorDescription ?? string.Empty, StringComparison.Ordinal);

        await PatchAsync(daemon.AppId, new { accountEnabled = true });
        (await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0])).AssertSuccess();
    }

    [Fact]
    public async Task DisabledClient_AuthorizeAndRefresh_Refused()
    {
        var (user, client, tokens, browser) = await BrowserSignIn.StartAsync(server);
        using (browser)
        {
            using var http = server.CreateHttpClient();

            await PatchAsync(client.Application.AppId, new { accountEnabled = false });
            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_client", "TSR2028");

            // A client that may not be used is not trusted with the answer either (RFC 6749 §4.1.2.1): the user sees it.
            var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
            Assert.Null(outcome.Redirect);
            Assert.Equal(HttpStatusCode.BadRequest, outcome.LastResponse.StatusCode);
            Assert.Contains("<code id=\"error\">unauthorized_client</code>", outcome.Body, StringComparison.Ordinal);
            Assert.Contains("<span id=\"error_description\">TSR2028:", outcome.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DisabledClient_DeviceCode_NoNewCodeAndNoTokenForAPendingOne()
    {
        var cli = await server.Directory.RegisterAsync(new NewApplication("device cli " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = true,
            RedirectUris = ["http://127.0.0.1/callback"],
        });
        using var http = server.CreateHttpClient();
        var deviceEndpoint = $"{server.TenantBase}/oauth2/v2.0/devicecode";
        var start = await TokenClient.PostAsync(http, deviceEndpoint, ("client_id", cli.AppId.ToString()), ("scope", "openid offline_access"));
        start.AssertSuccess();

        await PatchAsync(cli.AppId, new { accountEnabled = false });
        (await TokenClient.PostAsync(http, deviceEndpoint, ("client_id", cli.AppId.ToString()), ("scope", "openid")))
            .AssertError("invalid_client", "TSR2028");
        (await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", cli.AppId.ToString()), ("device_code", start.Json.GetProperty("device_code").GetString()!)))
            .AssertError("invalid_client", "TSR2028");
    }

    [Fact]
    public async Task DisabledApi_NoTokenNamesIt()
    {
        var api = await RegisterApiAsync();
        var (daemon, secret) = await RegisterDaemonAsync();
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        await PatchAsync(api.AppId, new { accountEnabled = false });

        (await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0])).AssertError("invalid_scope", "TSR2029");
        AssertRedirectError(await AuthorizeAsync(client, user.UserName!, $"openid {api.IdentifierUris[0]}/Orders.Read"), "invalid_scope", "TSR2029");

        // The application itself still signs people in: only the API is switched off.
        var signIn = await AuthorizeAsync(client, user.UserName!, "openid profile");
        Assert.True(signIn.Query.ContainsKey("code"), signIn.ErrorText);
    }

    [Fact]
    public async Task AssignmentRequired_Daemon_RefusedUntilGrantedThenRoleInToken()
    {
        var api = await RegisterApiAsync();
        var (daemon, secret) = await RegisterDaemonAsync();
        await PatchAsync(api.AppId, new { appRoleAssignmentRequired = true });

        (await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0])).AssertError("invalid_grant", "TSR2030");

        var assignment = await GrantAsync(daemon.AppId, api, Role(api, "Orders.Read.All"));
        var granted = await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0]);
        granted.AssertSuccess();
        Assert.Equal(["Orders.Read.All"], granted.Access.Claims.Where(c => c.Type == "roles").Select(c => c.Value));

        await RevokeAsync(api, assignment);
        (await ClientCredentialsAsync(daemon.AppId, secret, api.IdentifierUris[0])).AssertError("invalid_grant", "TSR2030");
    }

    [Fact]
    public async Task AssignmentRequired_Api_UnassignedUserRefusedAssignedUserAdmittedUntilUnassigned()
    {
        var api = await RegisterApiAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var outsider = await server.Directory.CreateUserAsync();
        var member = await server.Directory.CreateUserAsync();
        await PatchAsync(api.AppId, new { appRoleAssignmentRequired = true });
        var scope = $"openid offline_access {api.IdentifierUris[0]}/Orders.Read";

        AssertRedirectError(await AuthorizeAsync(client, outsider.UserName!, scope), "access_denied", "TSR2031");

        var assignment = await GrantAsync(member.Id, api, Role(api, "Orders.Approver"));
        var (code, pkce, browser) = await client.SignInAsync(member.UserName!, scope);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        Assert.Equal(["Orders.Approver"], tokens.Access.Claims.Where(c => c.Type == "roles").Select(c => c.Value));

        // Losing the assignment ends the user's refresh tokens for that API at their next use.
        await RevokeAsync(api, assignment);
        (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant", "TSR2031");
    }

    [Fact]
    public async Task AssignmentRequired_ClientApplication_OnlyAssignedUsersSignIn()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var outsider = await server.Directory.CreateUserAsync();
        var member = await server.Directory.CreateUserAsync();
        await PatchAsync(client.Application.AppId, new { appRoleAssignmentRequired = true });

        AssertRedirectError(await AuthorizeAsync(client, outsider.UserName!, "openid profile"), "access_denied", "TSR2031");

        // The web app declares no roles: Graph's default access (the empty role id) admits the user.
        await GrantAsync(member.Id, client.Application, Guid.Empty);
        var (code, pkce, browser) = await client.SignInAsync(member.UserName!, "openid profile");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        (await client.RedeemAsync(http, code, pkce.Verifier)).AssertSuccess();
    }
}
