using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Tessera.Directory.Applications;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// Microsoft.Identity.Web 4.18, unchanged, pointed at Tessera by configuration alone: <c>Instance</c> = Tessera's
/// origin, <c>TenantId</c>, <c>ClientId</c>. A web API validates Tessera's access tokens (Entra's v2.0 issuer and
/// audience rules, its scope/app-permission policy); a web app signs a user in with the code flow.
/// </summary>
public sealed class MicrosoftIdentityWebTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    // --- web API ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task WebApi_AppTokenWithAppPermission_Accepted()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        await using var web = await StartWebApiAsync(api);
        var token = await server.AppTokenAsync(api, identifier);

        var (status, body, _) = await server.GetWithBearerAsync(web.Origin + "/orders", token);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}\n{web.Log}");
        Assert.Contains("tid=" + server.TenantId.ToString("D"), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApi_UserTokenWithScope_Accepted()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        await using var web = await StartWebApiAsync(api);
        var (token, user) = await UserTokenAsync(api, identifier + "/Orders.Read");

        var (status, body, _) = await server.GetWithBearerAsync(web.Origin + "/orders", token);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}\n{web.Log}");
        Assert.Contains("name=" + user.UserName, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApi_UserTokenWithoutTheScope_Forbidden()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        await using var web = await StartWebApiAsync(api);
        var (token, _) = await UserTokenAsync(api, identifier + "/Orders.ReadWrite");

        var (status, _, _) = await server.GetWithBearerAsync(web.Origin + "/orders", token);

        Assert.True(status == HttpStatusCode.Forbidden, $"{(int)status}\n{web.Log}");
    }

    [Fact]
    public async Task WebApi_TokenForAnotherApi_Refused()
    {
        var (api, _) = await server.Directory.NewApiAsync();
        var (other, otherIdentifier) = await server.Directory.NewApiAsync();
        await using var web = await StartWebApiAsync(api);
        var token = await server.AppTokenAsync(other, otherIdentifier);

        var (status, _, challenge) = await server.GetWithBearerAsync(web.Origin + "/orders", token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("invalid_token", challenge, StringComparison.Ordinal);
    }

    // --- web app ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task WebApp_SignIn_CodeFlowThenSession()
    {
        var user = await server.Directory.CreateUserAsync();
        var registration = new WebAppRegistration();
        await using var web = await LoopbackWebApp.StartAsync(server, builder =>
        {
            builder.Services.AddAuthentication(OpenIdConnectDefaults.AuthenticationScheme)
                .AddMicrosoftIdentityWebApp(options =>
                {
                    options.Instance = server.Origin + "/";
                    options.TenantId = server.TenantId.ToString("D");
                    options.ClientId = registration.ClientId;
                    options.ClientSecret = registration.Secret;
                    // Microsoft.Identity.Web's default is id_token (implicit flow), which Tessera does not have.
                    options.ResponseType = OpenIdConnectResponseType.Code;
                    options.BackchannelHttpHandler = new LoopbackOnlyHandler(server);
                });
            builder.Services.AddAuthorization();
            TrustTesseraInIssuerValidation(builder.Services);
        }, app => app.MapGet("/", (ClaimsPrincipal user) => $"Hello {user.Identity!.Name}").RequireAuthorization());
        await registration.RegisterAsync(server, web.Origin + "/signin-oidc");

        using var browser = new UserAgent(server);
        var outcome = await browser.OpenProtectedPageAsync(web.Origin + "/", user.UserName!, web.Log);

        Assert.True(outcome.PageStatus == HttpStatusCode.OK, $"{(int)outcome.PageStatus}\n{web.Log}");
        Assert.Equal($"Hello {user.UserName}", outcome.PageBody);
        Assert.Equal("code", outcome.AuthorizationParameters["response_type"]);
        Assert.Equal("S256", outcome.AuthorizationParameters["code_challenge_method"]);
        Assert.Equal("form_post", outcome.AuthorizationParameters["response_mode"]);
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Microsoft.Identity.Web's issuer validator (AadIssuerValidator) reads the authority's discovery document itself,
    /// through an HttpClient of its own, not the handler's backchannel; <c>AadIssuerValidatorOptions.HttpClientName</c>
    /// names the client to use. Only needed here because the test certificate is not trusted by the machine.
    /// </summary>
    private void TrustTesseraInIssuerValidation(IServiceCollection services)
    {
        services.AddHttpClient("tessera").ConfigurePrimaryHttpMessageHandler(() => new LoopbackOnlyHandler(server));
        services.Configure<AadIssuerValidatorOptions>(options => options.HttpClientName = "tessera");
    }

    private Task<LoopbackWebApp> StartWebApiAsync(Application api)
        => LoopbackWebApp.StartAsync(server, builder =>
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                .AddMicrosoftIdentityWebApi(
                    jwt => jwt.BackchannelHttpHandler = new LoopbackOnlyHandler(server),
                    identity =>
                    {
                        identity.Instance = server.Origin + "/";
                        identity.TenantId = server.TenantId.ToString("D");
                        identity.ClientId = api.AppId.ToString("D");
                    });
            builder.Services.AddAuthorization();
            builder.Services.AddRequiredScopeOrAppPermissionAuthorization();
            TrustTesseraInIssuerValidation(builder.Services);
        }, app => app.MapGet("/orders", (ClaimsPrincipal user) =>
                $"tid={user.FindFirst("http://schemas.microsoft.com/identity/claims/tenantid")?.Value} name={user.FindFirst("preferred_username")?.Value}")
            .RequireAuthorization()
            .RequireScopeOrAppPermission(["Orders.Read"], ["Orders.Read.All"]));

    private async Task<(string Token, Tessera.Directory.Users.DirectoryUser User)> UserTokenAsync(Application api, string scope)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.GrantConsentAsync(client.Application.AppId, api.AppId, scope[(scope.LastIndexOf('/') + 1)..]);
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, "openid profile " + scope);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var token = await client.RedeemAsync(http, code, pkce.Verifier);
        token.AssertSuccess();
        return (token.AccessToken, user);
    }
}
