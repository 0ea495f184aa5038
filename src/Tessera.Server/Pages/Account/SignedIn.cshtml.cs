namespace Tessera.Server.Pages.Account;

public sealed class SignedInModel : TenantPageModel
{
    public void OnGet()
    {
    }
}
