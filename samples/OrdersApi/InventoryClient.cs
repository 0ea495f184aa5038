using System.Net.Http.Headers;
using Microsoft.Identity.Client;

namespace Tessera.Samples.OrdersApi;

/// <summary>
/// Calls InventoryApi as OrdersApi. For a user, with a token for InventoryApi that MSAL gets on behalf of that user
/// (<c>AcquireTokenOnBehalfOf</c>: Tessera's token endpoint, <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>,
/// <c>requested_token_use=on_behalf_of</c>, the user's token for OrdersApi as the assertion): the user stays the
/// subject, OrdersApi becomes the client, and the scopes are what OrdersApi was granted on InventoryApi. For an
/// application calling with no user, with OrdersApi's own token (client credentials, its Inventory.Read.All app role).
/// </summary>
internal sealed class InventoryClient(HttpClient http, IConfidentialClientApplication msal, IConfiguration configuration)
{
    private readonly string[] _scopes = configuration.GetSection("InventoryApi:Scopes").Get<string[]>() ?? [];

    public async Task<(StockResponse Stock, string CalledWith)> GetStockAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string calledWith;
        AuthenticationResult token;
        if (context.User.FindFirst("idtyp")?.Value == "app")
        {
            calledWith = "client-credentials";
            token = await msal.AcquireTokenForClient(_scopes).ExecuteAsync(cancellationToken);
        }
        else
        {
            // The token the caller sent, already validated by the authentication middleware. MSAL caches the result per
            // assertion: the same user token presented again is not exchanged again until the new token nears its end.
            var incoming = AuthenticationHeaderValue.Parse(context.Request.Headers.Authorization.ToString()).Parameter!;
            calledWith = "on-behalf-of";
            token = await msal.AcquireTokenOnBehalfOf(_scopes, new UserAssertion(incoming)).ExecuteAsync(cancellationToken);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "stock");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var stock = await response.Content.ReadFromJsonAsync<StockResponse>(cancellationToken)
                    ?? throw new HttpRequestException("InventoryApi answered with no body.");
        return (stock, calledWith);
    }
}

internal sealed record StockItem(string Sku, string Name, int InStock);

internal sealed record StockResponse(IReadOnlyList<StockItem> Items, Caller SeenByInventory);

/// <summary>MSAL's HTTP hook: every request to Tessera through one client (see <see cref="LocalTesseraCertificate"/>).</summary>
internal sealed class MsalHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
{
    public HttpClient GetHttpClient() => client;
}
