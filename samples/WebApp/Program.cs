using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Tessera.Samples;
using Tessera.Samples.WebApp;

// A web app (a confidential client with a secret) that signs people in with Tessera and calls OrdersApi for them.
var builder = WebApplication.CreateBuilder(args);
// samples/setup writes appsettings.Local.json; the environment and the command line still win over it.
builder.Configuration.AddJsonFile("appsettings.Local.json", optional: true).AddEnvironmentVariables().AddCommandLine(args);
var tessera = builder.Configuration.GetSection("Tessera");

builder.Services.AddAuthentication(options =>
    {
        options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
    })
    .AddCookie(options => options.Events.OnValidatePrincipal = async context =>
    {
        // The session keeps the access token for OrdersApi (SaveTokens). Once it has expired the session ends, and the
        // next page signs in again: silently, as long as the person's Tessera session lasts.
        var expiresAt = context.Properties.GetTokenValue("expires_at");
        if (expiresAt is null || DateTimeOffset.Parse(expiresAt, CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow.AddMinutes(1))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    })
    .AddOpenIdConnect(options =>
    {
        options.Authority = $"{tessera["Instance"]?.TrimEnd('/')}/{tessera["TenantId"]}/v2.0";
        options.ClientId = tessera["ClientId"];
        options.ClientSecret = tessera["ClientSecret"];
        // The authorization code flow, with PKCE (S256, the handler's default). The handler's own default response
        // type, id_token, is the implicit flow, which Tessera does not have.
        options.ResponseType = OpenIdConnectResponseType.Code;
        // openid and profile are there already; the access token is for OrdersApi (one API per token).
        foreach (var scope in builder.Configuration.GetSection("OrdersApi:Scopes").GetChildren())
        {
            options.Scope.Add(scope.Value!);
        }

        options.SaveTokens = true;
        options.MapInboundClaims = false;
        options.TokenValidationParameters.NameClaimType = "name";
        options.BackchannelHttpHandler = LocalTesseraCertificate.CreateHandler(builder.Configuration[LocalTesseraCertificate.Setting]);
    });
builder.Services.AddAuthorization();
builder.Services.AddHttpClient<OrdersApiClient>(http => http.BaseAddress = new Uri(builder.Configuration["OrdersApi:BaseUrl"]!));
builder.Services.AddRazorPages();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();
app.Run();
