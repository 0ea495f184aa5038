using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Tessera.Directory.Users;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// User name and password sign-in. Every failure reads the same and costs the same time, whether the user exists
/// or not, so the page tells an attacker nothing about which accounts exist.
/// </summary>
public sealed class SignInModel(SignInManager<DirectoryUser> signIn, UserManager<DirectoryUser> users) : TenantPageModel
{
    private const string Failed = "The user name or password is incorrect.";
    private static readonly string UnknownUserHash = new PasswordHasher<DirectoryUser>().HashPassword(new DirectoryUser(), Guid.NewGuid().ToString());

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    /// <summary>The client's <c>login_hint</c>: the user name to start with.</summary>
    [BindProperty(SupportsGet = true)]
    public string? LoginHint { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? ErrorMessage { get; private set; }

    public void OnGet() => UserName = LoginHint is { Length: <= 256 } hint ? hint : null;

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password) || UserName.Length > 256 || Password.Length > 1024)
        {
            ErrorMessage = "Enter your user name and password.";
            return Page();
        }

        var user = await users.FindByNameAsync(UserName.Trim());
        if (user is null || user.TenantId != Tenant.Id || !user.AccountEnabled)
        {
            // Spend the time a real check would.
            users.PasswordHasher.VerifyHashedPassword(new DirectoryUser(), UnknownUserHash, Password);
            ErrorMessage = Failed;
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return SeeOther(SafeReturnUrl(ReturnUrl));
        }

        ErrorMessage = result.IsLockedOut
            ? "Too many failed attempts. Wait a few minutes, then try again."
            : Failed;
        return Page();
    }
}
