using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Identity.Client;

namespace Tessera.Samples.OrdersApi;

internal static class OrdersEndpoints
{
    /// <summary>The orders, each with its stock as InventoryApi tells it, and who each API saw calling.</summary>
    public static async Task<Results<Ok<OrdersResponse>, ProblemHttpResult>> ListAsync(
        HttpContext context, InventoryClient inventory, OrderBook book, CancellationToken cancellationToken)
    {
        try
        {
            var (stock, calledWith) = await inventory.GetStockAsync(context, cancellationToken);
            var lines = book.All.Select(o => new OrderLine(o.Id, o.Sku, o.Quantity, o.PlacedBy,
                stock.Items.FirstOrDefault(i => i.Sku == o.Sku)?.Name, stock.Items.FirstOrDefault(i => i.Sku == o.Sku)?.InStock));
            return TypedResults.Ok(new OrdersResponse(Caller.From(context.User), calledWith, stock.SeenByInventory, [.. lines]));
        }
        catch (MsalServiceException exception)
        {
            // No token for InventoryApi: for a user, typically nothing granted to OrdersApi there (invalid_grant).
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway, title: "Tessera gave no token for InventoryApi");
        }
        catch (HttpRequestException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway, title: "InventoryApi could not be read");
        }
    }
}

/// <summary>Orders in memory, with a few to start with.</summary>
internal sealed class OrderBook
{
    private readonly ConcurrentDictionary<int, Order> _orders = new(new Dictionary<int, Order>
    {
        [1] = new(1, "TSR-100", 2, "seed"),
        [2] = new(2, "TSR-200", 1, "seed"),
        [3] = new(3, "TSR-300", 5, "seed"),
    });

    public IEnumerable<Order> All => _orders.Values.OrderBy(o => o.Id);

    public Order Place(NewOrder order, string? placedBy)
    {
        ArgumentNullException.ThrowIfNull(order);
        while (true)
        {
            var placed = new Order(_orders.Keys.Max() + 1, order.Sku, order.Quantity, placedBy ?? "unknown");
            if (_orders.TryAdd(placed.Id, placed))
            {
                return placed;
            }
        }
    }
}

internal sealed record Order(int Id, string Sku, int Quantity, string PlacedBy);

internal sealed record NewOrder(string Sku, int Quantity);

internal sealed record OrderLine(int Id, string Sku, int Quantity, string PlacedBy, string? Product, int? InStock);

/// <param name="Caller">Who called OrdersApi.</param>
/// <param name="InventoryCalledWith">How OrdersApi got its token for InventoryApi: <c>on-behalf-of</c> or <c>client-credentials</c>.</param>
/// <param name="SeenByInventory">Who InventoryApi saw calling it, as it reported.</param>
/// <param name="Orders">The orders, with their stock.</param>
internal sealed record OrdersResponse(Caller Caller, string InventoryCalledWith, Caller SeenByInventory, IReadOnlyList<OrderLine> Orders);

/// <summary>A caller as its access token describes it.</summary>
internal sealed record Caller(string? User, string? UserObjectId, string? ClientAppId, string? Scopes, IReadOnlyList<string> Roles)
{
    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue("preferred_username"),
        principal.FindFirstValue("idtyp") == "app" ? null : principal.FindFirstValue("oid"),
        principal.FindFirstValue("azp"),
        principal.FindFirstValue("scp"),
        [.. principal.FindAll("roles").Select(c => c.Value)]);
}
