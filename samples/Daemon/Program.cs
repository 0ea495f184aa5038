using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Identity.Client;
using Tessera.Samples;

// A daemon: no user, its own identity. It proves it with a certificate (private_key_jwt: MSAL signs a client assertion
// with the private key; Tessera checks it against the certificate registered on the application), or with no secret at
// all: a token its platform (a CI system, Kubernetes) writes to a file, which Tessera accepts through a federated
// identity credential. Either way it calls OrdersApi with an app-only token that carries the app role an administrator
// assigned to it (Orders.Read.All). No credential is in the code or in appsettings.json: only where to find it.
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
var builder = ConfidentialClientApplicationBuilder.Create(tessera["ClientId"])
    .WithAuthority($"{tessera["Instance"]!.TrimEnd('/')}/{tessera["TenantId"]}/", validateAuthority: false)
    .WithInstanceDiscovery(false) // MSAL would otherwise ask login.microsoftonline.com about this authority first
    .WithHttpClientFactory(new MsalHttpClientFactory(tesseraHttp));
X509Certificate2? certificate = null;
if (tessera["FederatedTokenFile"] is { Length: > 0 } tokenFile)
{
    // Federation: the platform renews the token in the file; it is read again for every request to Tessera.
    builder = builder.WithClientAssertion((AssertionRequestOptions options) => File.ReadAllTextAsync(tokenFile, options.CancellationToken));
    Console.WriteLine("Credential: the external token in the federated token file (no secret).");
}
else
{
    certificate = X509Certificate2.CreateFromPemFile(tessera["CertificatePath"]!, tessera["CertificateKeyPath"]);
    builder = builder.WithCertificate(certificate);
    Console.WriteLine($"Credential: certificate {certificate.Thumbprint}.");
}

using var _ = certificate;
var app = builder.Build();

// Client credentials: "{API}/.default" asks for every application permission the daemon holds on OrdersApi.
string[] scopes = [configuration["OrdersApi:Scope"]!];
var result = await app.AcquireTokenForClient(scopes).ExecuteAsync();
Console.WriteLine($"Token for {scopes[0]} from {result.AuthenticationResultMetadata.TokenSource}, valid until {result.ExpiresOn:u}.");

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
Console.WriteLine($"OrdersApi saw: application {root.GetProperty("caller").GetProperty("clientAppId")}, roles {Join(root.GetProperty("caller").GetProperty("roles"))}.");
Console.WriteLine($"OrdersApi called InventoryApi with {root.GetProperty("inventoryCalledWith")}; InventoryApi saw: application " +
                  $"{root.GetProperty("seenByInventory").GetProperty("clientAppId")}, roles {Join(root.GetProperty("seenByInventory").GetProperty("roles"))}.");
foreach (var order in root.GetProperty("orders").EnumerateArray())
{
    Console.WriteLine($"  order {order.GetProperty("id")}: {order.GetProperty("quantity")} x {order.GetProperty("sku")} {order.GetProperty("product")} (in stock: {order.GetProperty("inStock")})");
}

return 0;

static string Join(JsonElement values) => string.Join(", ", values.EnumerateArray().Select(v => v.GetString()));

/// <summary>MSAL's HTTP hook: every request to Tessera through one client (see <see cref="LocalTesseraCertificate"/>).</summary>
internal sealed class MsalHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
{
    public HttpClient GetHttpClient() => client;
}
