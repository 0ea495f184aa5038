using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tessera.Samples.WebApp.Pages;

[Authorize]
internal sealed class IndexModel(OrdersApiClient ordersApi) : PageModel
{
    public OrdersResponse? Orders { get; private set; }

    public string? Error { get; private set; }

    [BindProperty]
    public string Sku { get; set; } = "TSR-100";

    [BindProperty]
    public int Quantity { get; set; } = 1;

    public async Task OnGetAsync(CancellationToken cancellationToken)
        => (Orders, Error) = await ordersApi.ListAsync(await AccessTokenAsync(), cancellationToken);

    /// <summary>Places an order: OrdersApi wants Orders.ReadWrite for that, which this app asked for at sign-in.</summary>
    public async Task<IActionResult> OnPostOrderAsync(CancellationToken cancellationToken)
    {
        Error = await ordersApi.PlaceAsync(await AccessTokenAsync(), Sku, Quantity, cancellationToken);
        if (Error is not null)
        {
            return Page();
        }

        return RedirectToPage();
    }

    /// <summary>Ends this app's session and Tessera's (RP-initiated logout), then comes back here.</summary>
    public IActionResult OnPostSignOut()
        => SignOut(new AuthenticationProperties { RedirectUri = "/" }, CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme);

    private async Task<string> AccessTokenAsync()
        => await HttpContext.GetTokenAsync("access_token") ?? throw new InvalidOperationException("The session holds no access token.");
}
