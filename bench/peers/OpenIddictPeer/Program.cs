using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

// OpenIddict as its documentation sets it up, and nothing more: the stock peer that bench/tokens/run loads beside
// Tessera. One confidential client (client_secret_basic), client credentials, ES256 JWT access tokens for one
// resource, OpenIddict's default token storage in SQLite. No logging per request.
//
//   dotnet OpenIddictPeer.dll --urls=http://127.0.0.1:PORT --Peer:DataPath=DIR --Peer:ClientId=ID
//     --Peer:ClientSecret=SECRET --Peer:Resource=URI --Peer:Scope=NAME
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var peer = builder.Configuration.GetSection("Peer");
string Setting(string name) => peer[name] ?? throw new InvalidOperationException($"--Peer:{name} is required.");

var dataPath = Setting("DataPath");
Directory.CreateDirectory(dataPath);
builder.Services.AddDbContext<DbContext>(options =>
{
    options.UseSqlite($"Data Source={Path.Combine(dataPath, "openiddict.db")}");
    options.UseOpenIddict();
});

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DbContext>())
    .AddServer(options =>
    {
        options.SetTokenEndpointUris("connect/token");
        options.AllowClientCredentialsFlow();
        options.RegisterScopes(Setting("Scope"));
        options.AddSigningKey(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "bench-es256" });
        options.AddEphemeralEncryptionKey();
        options.DisableAccessTokenEncryption();
        options.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
    });

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<DbContext>().Database.EnsureCreatedAsync();
    var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
    if (await applications.FindByClientIdAsync(Setting("ClientId")) is null)
    {
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = Setting("ClientId"),
            ClientSecret = Setting("ClientSecret"),
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.Prefixes.Scope + Setting("Scope"),
            },
        });
    }
}

app.MapPost("/connect/token", (HttpContext http) =>
{
    var request = http.GetOpenIddictServerRequest()!;
    var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
    identity.SetClaim(Claims.Subject, request.ClientId);
    identity.SetScopes(request.GetScopes());
    identity.SetResources(Setting("Resource"));
    identity.SetDestinations(_ => [Destinations.AccessToken]);
    return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
});

await app.StartAsync();
Console.WriteLine("openiddict peer ready");
await app.WaitForShutdownAsync();
