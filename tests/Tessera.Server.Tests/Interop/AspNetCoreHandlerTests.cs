using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Tessera.Directory.Applications;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// ASP.NET Core's own OpenID Connect handler (web app sign-in, code + PKCE) and JwtBearer handler (API), unchanged, with
/// <c>Authority</c> = Tessera's issuer, <c>{origin}/{tenantId}/v2.0</c>.
/// </summary>
public sealed class AspNetCoreHandlerTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    [Theory]
    [InlineData(OpenIdConnectResponseMode.FormPost)]
    [InlineData(OpenIdConnectResponseMode.Query)]
    public async Task OpenIdConnect_CodeWithPkce_SignsInWithTokensSaved(string responseMode)
    {
        var user = await server.Directory.CreateUserAsync();
        var registration = new WebAppRegistration();
        await using var web = await LoopbackWebApp.StartAsync(server, builder =>
        {
            builder.Services.AddAuthentication(options =>
                {
                    options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                    options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
                })
                .AddCookie()
                .AddOpenIdConnect(options =>
                {
                    options.Authority = server.Authority;
                    options.ClientId = registration.ClientId;
                    options.ClientSecret = registration.Secret;
                    options.ResponseType = OpenIdConnectResponseType.Code;
                    options.ResponseMode = responseMode;
                    options.Scope.Add("offline_access");
                    options.SaveTokens = true;
                    options.MapInboundClaims = false;
                    options.TokenValidationParameters.NameClaimType = "preferred_username";
                    options.BackchannelHttpHandler = new LoopbackOnlyHandler(server);
                });
            builder.Services.AddAuthorization();
        }, app => app.MapGet("/", async (HttpContext http) =>
        {
            var refreshToken = await http.GetTokenAsync("refresh_token");
            return $"Hello {http.User.Identity!.Name} oid={http.User.FindFirstValue("oid")} refresh={refreshToken is not null}";
        }).RequireAuthorization());
        await registration.RegisterAsync(server, web.Origin + "/signin-oidc");

        using var browser = new UserAgent(server);
        var outcome = await browser.OpenProtectedPageAsync(web.Origin + "/", user.UserName!, web.Log);

        Assert.True(outcome.PageStatus == HttpStatusCode.OK, $"{(int)outcome.PageStatus}\n{web.Log}");
        Assert.Equal($"Hello {user.UserName} oid={user.Id:D} refresh=True", outcome.PageBody);
        Assert.Equal("S256", outcome.AuthorizationParameters["code_challenge_method"]);
        Assert.Equal(server.AuthorizeEndpoint, outcome.AuthorizationRequest.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public async Task OpenIdConnect_DefaultResponseType_RefusedAsImplicitFlow()
    {
        // The handler's default response type is id_token (the implicit flow), which Tessera does not have: an app
        // must set ResponseType = "code". Tessera says so to the app, which fails the sign-in.
        var user = await server.Directory.CreateUserAsync();
        var registration = new WebAppRegistration();
        await using var web = await LoopbackWebApp.StartAsync(server, builder =>
        {
            builder.Services.AddAuthentication(options =>
                {
                    options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                    options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
                })
                .AddCookie()
                .AddOpenIdConnect(options =>
                {
                    options.Authority = server.Authority;
                    options.ClientId = registration.ClientId;
                    options.BackchannelHttpHandler = new LoopbackOnlyHandler(server);
                });
            builder.Services.AddAuthorization();
        }, app => app.MapGet("/", () => "signed in").RequireAuthorization());
        await registration.RegisterAsync(server, web.Origin + "/signin-oidc");

        using var browser = new UserAgent(server);
        var challenge = await browser.SendAsync(HttpMethod.Get, web.Origin + "/");
        var outcome = await browser.AuthorizeAsync(challenge.Headers.Location!.ToString(), user.UserName!);

        Assert.Equal(OpenIdConnectResponseType.IdToken, Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(challenge.Headers.Location.Query)["response_type"]);
        Assert.Contains("unsupported_response_type", outcome.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JwtBearer_TesseraAccessToken_AcceptedWithStrictTypeCheck()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        await using var web = await StartApiAsync(api);
        var token = await server.AppTokenAsync(api, identifier);

        var (status, body, _) = await server.GetWithBearerAsync(web.Origin + "/orders", token);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}\n{web.Log}");
        Assert.Equal("roles=Orders.Read.All", body);
    }

    [Fact]
    public async Task JwtBearer_TokenForAnotherApi_Refused()
    {
        var (api, _) = await server.Directory.NewApiAsync();
        var (other, otherIdentifier) = await server.Directory.NewApiAsync();
        await using var web = await StartApiAsync(api);
        var token = await server.AppTokenAsync(other, otherIdentifier);

        var (status, _, _) = await server.GetWithBearerAsync(web.Origin + "/orders", token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("IDX10214", web.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JwtBearer_IdTokenPresentedAsAccessToken_RefusedByType()
    {
        // An ID token is addressed to the client, so audience checks already stop it at an API; the at+jwt check
        // stops it even at an API that is itself the client.
        var registration = await CodeFlowClient.RegisterAsync(server);
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, agent) = await registration.SignInAsync(user.UserName!, "openid profile");
        agent.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await registration.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        await using var web = await StartApiAsync(registration.Application);

        var (status, _, _) = await server.GetWithBearerAsync(web.Origin + "/orders", tokens.IdToken!);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(web.Log.ToString().Contains("IDX10257", StringComparison.Ordinal), web.Log.ToString());
    }

    private Task<LoopbackWebApp> StartApiAsync(Application api)
        => LoopbackWebApp.StartAsync(server, builder =>
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                .AddJwtBearer(options =>
                {
                    options.Authority = server.Authority;
                    options.Audience = api.AppId.ToString("D");
                    options.MapInboundClaims = false;
                    // RFC 9068: an access token says so in its header.
                    options.TokenValidationParameters.ValidTypes = ["at+jwt"];
                    options.BackchannelHttpHandler = new LoopbackOnlyHandler(server);
                });
            builder.Services.AddAuthorization();
        }, app => app.MapGet("/orders", (ClaimsPrincipal user) => "roles=" + string.Join(',', user.FindAll("roles").Select(c => c.Value)))
            .RequireAuthorization());
}
