using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Identity.Client;
using Tessera.AspNetCore;
using Tessera.Samples;
using Tessera.Samples.OrdersApi;

// The middle-tier API: the web app, the daemon and the device code CLI call it; it calls InventoryApi in turn.
var builder = WebApplication.CreateBuilder(args);
// samples/setup writes appsettings.Local.json; the environment and the command line still win over it.
builder.Configuration.AddJsonFile("appsettings.Local.json", optional: true).AddEnvironmentVariables().AddCommandLine(args);
var tessera = builder.Configuration.GetSection("Tessera");
var trustedCertificate = builder.Configuration[LocalTesseraCertificate.Setting];

// As an API: Tessera access tokens for OrdersApi, and nothing else.
builder.Services.AddAuthentication().AddTesseraApi(tessera);
builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
    options => options.BackchannelHttpHandler = LocalTesseraCertificate.CreateHandler(trustedCertificate));

// As a client of Tessera (a confidential client with a secret): one MSAL application for the process, so that its
// token cache, which keeps the tokens it got on behalf of each user, is shared by every request.
builder.Services.AddSingleton(_ => ConfidentialClientApplicationBuilder.Create(tessera["ClientId"])
    .WithAuthority($"{tessera["Instance"]?.TrimEnd('/')}/{tessera["TenantId"]}/", validateAuthority: false)
    .WithInstanceDiscovery(false) // MSAL would otherwise ask login.microsoftonline.com about this authority first
    .WithClientSecret(tessera["ClientSecret"])
    .WithHttpClientFactory(new MsalHttpClientFactory(new HttpClient(LocalTesseraCertificate.CreateHandler(trustedCertificate))))
    .Build());
builder.Services.AddHttpClient<InventoryClient>(http => http.BaseAddress = new Uri(builder.Configuration["InventoryApi:BaseUrl"]!));
builder.Services.AddSingleton<OrderBook>();

var app = builder.Build();

// Reading: a user's Orders.Read or Orders.ReadWrite (write never needed to read), or the Orders.Read.All app role.
app.MapGet("/orders", OrdersEndpoints.ListAsync)
    .RequireScopeOrAppRole(scopes: ["Orders.Read", "Orders.ReadWrite"], appRoles: ["Orders.Read.All"]);

// Writing: a user's Orders.ReadWrite only.
app.MapPost("/orders", (NewOrder order, ClaimsPrincipal caller, OrderBook book) =>
        TypedResults.Created("/orders", book.Place(order, caller.FindFirstValue("preferred_username"))))
    .RequireScope("Orders.ReadWrite");

app.Run();
