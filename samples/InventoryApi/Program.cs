using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Tessera.AspNetCore;
using Tessera.Samples;

// The downstream API: OrdersApi calls it, for a user (with a token it got on behalf of that user) or for itself.
var builder = WebApplication.CreateBuilder(args);
// samples/setup writes appsettings.Local.json; the environment and the command line still win over it.
builder.Configuration.AddJsonFile("appsettings.Local.json", optional: true).AddEnvironmentVariables().AddCommandLine(args);

builder.Services.AddAuthentication().AddTesseraApi(builder.Configuration.GetSection("Tessera"));
builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
    options => options.BackchannelHttpHandler = LocalTesseraCertificate.CreateHandler(builder.Configuration[LocalTesseraCertificate.Setting]));

var app = builder.Build();

StockItem[] stock =
[
    new("TSR-100", "Hardware security key", 42),
    new("TSR-200", "Smart card reader", 7),
    new("TSR-300", "Badge printer ribbon", 0),
];

// Read access: a user's delegated scope, or the application permission for app-only callers.
app.MapGet("/stock", (ClaimsPrincipal caller) => new StockResponse(stock, Caller.From(caller)))
    .RequireScopeOrAppRole(scopes: ["Inventory.Read"], appRoles: ["Inventory.Read.All"]);

app.Run();

internal sealed record StockItem(string Sku, string Name, int InStock);

/// <summary>The stock, and who this API saw calling: the user (if any), the client application, what it holds.</summary>
internal sealed record StockResponse(IReadOnlyList<StockItem> Items, Caller SeenByInventory);

internal sealed record Caller(string? User, string? UserObjectId, string? ClientAppId, string? Scopes, IReadOnlyList<string> Roles)
{
    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue("preferred_username"),
        principal.FindFirstValue("idtyp") == "app" ? null : principal.FindFirstValue("oid"),
        principal.FindFirstValue("azp"),
        principal.FindFirstValue("scp"),
        [.. principal.FindAll("roles").Select(c => c.Value)]);
}
