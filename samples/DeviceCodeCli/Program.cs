using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Identity.Client;
using Tessera.Samples;

// A command line for a person: a public client (no secret), signing the user in with the device code flow (RFC 8628).
// It shows a code; the user opens Tessera's /devicelogin page in any browser, on any device, signs in and enters it;
// meanwhile MSAL polls Tessera's token endpoint until the user has approved (or the code expires).
var configuration = new ConfigurationBuilder()
    .SetBasePath(Directory.GetCurrentDirectory())
    .AddJsonFile("appsettings.json")
    .AddJsonFile("appsettings.Local.json", optional: true) // written by samples/setup
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();
var tessera = configuration.GetSection("Tessera");
if (string.IsNullOrEmpty(tessera["ClientId"]))
{
    Console.Error.WriteLine("Tessera:ClientId is not set: run samples/setup first (see samples/README.md).");
    return 2;
}

using var tesseraHttp = new HttpClient(LocalTesseraCertificate.CreateHandler(configuration[LocalTesseraCertificate.Setting]));
// The device code flow needs MSAL's Entra-shaped authority ("{instance}/{tenant}/"): its generic OIDC authority
// (WithOidcAuthority) has no device code endpoint.
var app = PublicClientApplicationBuilder.Create(tessera["ClientId"])
    .WithAuthority($"{tessera["Instance"]!.TrimEnd('/')}/{tessera["TenantId"]}/", validateAuthority: false)
    .WithInstanceDiscovery(false) // MSAL would otherwise ask login.microsoftonline.com about this authority first
    .WithHttpClientFactory(new MsalHttpClientFactory(tesseraHttp))
    .Build();

string[] scopes = configuration.GetSection("OrdersApi:Scopes").GetChildren().Select(s => s.Value!).ToArray();
var result = await app.AcquireTokenWithDeviceCode(scopes, code =>
{
    Console.WriteLine($"To sign in, open {code.VerificationUrl} and enter the code {code.UserCode} (valid until {code.ExpiresOn:HH:mm:ss}Z).");
    return Task.CompletedTask;
}).ExecuteAsync();
Console.WriteLine($"Signed in as {result.Account.Username}; token for {string.Join(" ", result.Scopes)}.");

using var ordersApi = new HttpClient { BaseAddress = new Uri(configuration["OrdersApi:BaseUrl"]!) };
using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
using var response = await ordersApi.SendAsync(request);
if (!response.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"OrdersApi answered {(int)response.StatusCode} {response.Headers.WwwAuthenticate} {await response.Content.ReadAsStringAsync()}");
    return 1;
}

using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
var root = body.RootElement;
var seen = root.GetProperty("seenByInventory");
Console.WriteLine($"OrdersApi saw: user {root.GetProperty("caller").GetProperty("user")}, client {root.GetProperty("caller").GetProperty("clientAppId")}, scopes {root.GetProperty("caller").GetProperty("scopes")}.");
Console.WriteLine($"OrdersApi called InventoryApi {root.GetProperty("inventoryCalledWith")}; InventoryApi saw: user {seen.GetProperty("user")}, " +
                  $"client {seen.GetProperty("clientAppId")}, scopes {seen.GetProperty("scopes")}.");
foreach (var order in root.GetProperty("orders").EnumerateArray())
{
    Console.WriteLine($"  order {order.GetProperty("id")}: {order.GetProperty("quantity")} x {order.GetProperty("sku")} {order.GetProperty("product")} (in stock: {order.GetProperty("inStock")})");
}

return 0;

/// <summary>MSAL's HTTP hook: every request to Tessera through one client (see <see cref="LocalTesseraCertificate"/>).</summary>
internal sealed class MsalHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
{
    public HttpClient GetHttpClient() => client;
}
