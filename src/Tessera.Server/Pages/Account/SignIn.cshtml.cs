using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Tessera.Directory.Users;
using Tessera.Server.Clients;
using Tessera.Server.SignInLogs;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// User name and password sign-in. Every failure reads the same and costs the same time, whether the user exists
/// or not, so the page tells an attacker nothing about which accounts exist. The sign-in log, which only
/// administrators read, does tell them apart (Entra ID's codes: 50126, 50053, 50057).
/// </summary>
public sealed class SignInModel(SignInManager<DirectoryUser> signIn, UserManager<DirectoryUser> users, ClientDirectory clients, SignInLog signIns)
    : TenantPageModel
{
    // One sentence for every failure, lockout included: which accounts exist is not for the page to tell.
    private const string Failed = "The user name or password is incorrect. After too many attempts an account is locked for a few minutes.";
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

        var name = UserName.Trim();
        var found = await users.FindByNameAsync(name);
        var user = found?.TenantId == Tenant.Id ? found : null; // someone of another tenant is nobody here
        if (user is not { AccountEnabled: true })
        {
            // Spend the time a real check would.
            users.PasswordHasher.VerifyHashedPassword(new DirectoryUser(), UnknownUserHash, Password);
            await RecordAsync(name, user, user is null ? SignInStatus.InvalidCredentials : SignInStatus.AccountDisabled);
            ErrorMessage = Failed;
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        await RecordAsync(name, user, result.Succeeded ? SignInStatus.Success
            : result.IsLockedOut ? SignInStatus.AccountLocked
            : SignInStatus.InvalidCredentials);
        if (result.Succeeded)
        {
            return SeeOther(SafeReturnUrl(ReturnUrl));
        }

        ErrorMessage = Failed;
        return Page();
    }

    /// <summary>Logs the attempt against the application whose authorization request sent the user here, if any.</summary>
    private async Task RecordAsync(string typedName, DirectoryUser? user, SignInStatus status)
    {
        var client = SignInAttempt.ClientIdOf(SafeReturnUrl(ReturnUrl)) is { } clientId
            ? await clients.FindAsync(clientId.ToString("D"), HttpContext.RequestAborted)
            : null;
        var attempt = SignInAttempt.Interactive(HttpContext, Tenant.Id, client?.TenantId == Tenant.Id ? client : null);
        signIns.Record(user is null ? attempt.ByName(typedName) : attempt.By(user), status);
    }
}
