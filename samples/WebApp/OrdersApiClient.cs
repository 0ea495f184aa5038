using System.Net.Http.Headers;

namespace Tessera.Samples.WebApp;

/// <summary>Calls OrdersApi with the signed-in person's access token, the one Tessera issued to this app at sign-in.</summary>
internal sealed class OrdersApiClient(HttpClient http)
{
    public async Task<(OrdersResponse? Orders, string? Error)> ListAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<OrdersResponse>(cancellationToken), null)
            : (null, await FailureAsync(response, cancellationToken));
    }

    /// <summary>Places an order; the error OrdersApi gave, or null.</summary>
    public async Task<string?> PlaceAsync(string accessToken, string sku, int quantity, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, accessToken);
        request.Content = JsonContent.Create(new { sku, quantity });
        using var response = await http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode ? null : await FailureAsync(response, cancellationToken);
    }

    private static HttpRequestMessage Request(HttpMethod method, string accessToken)
    {
        var request = new HttpRequestMessage(method, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    private static async Task<string> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        => $"OrdersApi answered {(int)response.StatusCode} {response.Headers.WwwAuthenticate} {await response.Content.ReadAsStringAsync(cancellationToken)}".Trim();
}

internal sealed record OrdersResponse(Caller Caller, string InventoryCalledWith, Caller SeenByInventory, IReadOnlyList<OrderLine> Orders);

internal sealed record OrderLine(int Id, string Sku, int Quantity, string PlacedBy, string? Product, int? InStock);

internal sealed record Caller(string? User, string? UserObjectId, string? ClientAppId, string? Scopes, IReadOnlyList<string> Roles);
