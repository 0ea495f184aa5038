namespace Tessera.Server.Pages.Account;

public sealed class SignedOutModel : TenantPageModel
{
    public void OnGet()
    {
    }
}
