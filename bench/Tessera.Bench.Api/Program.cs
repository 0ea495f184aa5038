using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Identity.Web;
using Tessera.AspNetCore;
using Tessera.Bench.Api;

// One endpoint, served five ways in one process, so that bench/run can compare their rates:
//   /open     no authentication at all
//   /noop     authentication and authorization with a handler that checks nothing: the ceiling for any SDK
//   /tessera  Tessera.AspNetCore (AddTesseraApi)
//   /tessera-nocache  the same with its validated-token cache off: every request verified in full, as /miw is
//   /miw      Microsoft.Identity.Web (AddMicrosoftIdentityWebApi), pointed at the same Tessera tenant
// The protected endpoints carry one rule: the delegated scope Items.Read or the app role Items.Read.All, each
// written with its own library's helper. No scheme is the default, so /open runs no authentication handler.

// With one scheme registered ASP.NET Core would make it the default and authenticate every request with it, /open
// included: the switch keeps every scheme opt-in, per endpoint, whatever is registered.
AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);

var builder = WebApplication.CreateBuilder(args);
if (!builder.Configuration.GetValue<bool>("Bench:Logging"))
{
    // Logging off, as a loaded API would run it; --Bench:Logging=true brings the console back to find a refusal.
    builder.Logging.ClearProviders();
}

builder.Services.AddAuthentication()
    .AddScheme<AuthenticationSchemeOptions, NoOpAuthenticationHandler>(BenchSchemes.NoOp, configureOptions: null)
    .AddTesseraApi(builder.Configuration.GetSection("Tessera"), BenchSchemes.Tessera)
    .AddTesseraApi(options =>
    {
        builder.Configuration.GetSection("Tessera").Bind(options);
        options.TokenCacheSize = 0;
        options.ContinuousAccess.Enabled = false; // bench/cae/run turns it on for the "tessera" scheme only
    }, BenchSchemes.TesseraNoCache)
    .AddMicrosoftIdentityWebApi(builder.Configuration.GetSection("AzureAd"), BenchSchemes.MicrosoftIdentityWeb,
        subscribeToJwtBearerMiddlewareDiagnosticsEvents: false);

// The bench's Tessera is on plain HTTP on loopback: Microsoft.Identity.Web must be told that metadata over HTTP is
// fine here, and which issuer the tenant has (its issuer validator would otherwise fetch the metadata again, over
// HTTPS only). Neither changes what it does per request.
builder.Services.Configure<JwtBearerOptions>(BenchSchemes.MicrosoftIdentityWeb, options =>
{
    options.RequireHttpsMetadata = false;
    options.TokenValidationParameters.ValidIssuer = BenchSchemes.Issuer(builder.Configuration.GetSection("AzureAd"));
});

builder.Services.AddAuthorizationBuilder()
    .AddPolicy(BenchSchemes.Tessera, policy => policy
        .AddAuthenticationSchemes(BenchSchemes.Tessera)
        .RequireScopeOrAppRole([BenchSchemes.Scope], [BenchSchemes.AppRole]))
    .AddPolicy(BenchSchemes.TesseraNoCache, policy => policy
        .AddAuthenticationSchemes(BenchSchemes.TesseraNoCache)
        .RequireScopeOrAppRole([BenchSchemes.Scope], [BenchSchemes.AppRole]))
    .AddPolicy(BenchSchemes.MicrosoftIdentityWeb, policy => policy
        .AddAuthenticationSchemes(BenchSchemes.MicrosoftIdentityWeb)
        .RequireAuthenticatedUser()
        .RequireScopeOrAppPermission([BenchSchemes.Scope], [BenchSchemes.AppRole]))
    .AddPolicy(BenchSchemes.NoOp, policy => policy
        .AddAuthenticationSchemes(BenchSchemes.NoOp)
        .RequireAuthenticatedUser()
        .RequireRole(BenchSchemes.AppRole));

var app = builder.Build();

var item = new Item(42, "tessera", "A small JSON body, the same on every endpoint.");
app.MapGet("/open", () => TypedResults.Ok(item));
app.MapGet("/noop", () => TypedResults.Ok(item)).RequireAuthorization(BenchSchemes.NoOp);
app.MapGet("/tessera", () => TypedResults.Ok(item)).RequireAuthorization(BenchSchemes.Tessera);
app.MapGet("/tessera-nocache", () => TypedResults.Ok(item)).RequireAuthorization(BenchSchemes.TesseraNoCache);
app.MapGet("/miw", () => TypedResults.Ok(item)).RequireAuthorization(BenchSchemes.MicrosoftIdentityWeb);

// Bytes allocated so far by the whole process: bench/run reads it around each load to report allocations per request,
// a number that, unlike req/s, the machine's neighbours do not move.
app.MapGet("/bench/allocated", () => GC.GetTotalAllocatedBytes(precise: true));

// Continuous Access Evaluation by push, when bench/cae/run turns it on (--Tessera:ContinuousAccess:...); nothing otherwise.
app.MapTesseraSharedSignals();

await app.StartAsync();
var schemes = app.Services.GetRequiredService<IAuthenticationSchemeProvider>();
var defaultScheme = await schemes.GetDefaultAuthenticateSchemeAsync();
// bench/run reads this line: a default scheme would make /open authenticate too, and the comparison unfair.
Console.WriteLine($"bench api ready; default authenticate scheme: {defaultScheme?.Name ?? "none"}");
await app.WaitForShutdownAsync();

namespace Tessera.Bench.Api
{
    internal sealed record Item(int Id, string Name, string Description);

    internal static class BenchSchemes
    {
        public const string Tessera = "tessera";
        public const string TesseraNoCache = "tessera-nocache";
        public const string MicrosoftIdentityWeb = "miw";
        public const string NoOp = "noop";
        public const string Scope = "Items.Read";
        public const string AppRole = "Items.Read.All";

        public static string Issuer(IConfigurationSection section) =>
            $"{section["Instance"]?.TrimEnd('/')}/{section["TenantId"]}/v2.0";
    }
}
