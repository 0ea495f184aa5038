using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Tessera.Directory.Users;
using Tessera.Policy.SignIns;
using Tessera.Server.Clients;
using Tessera.Server.Protection;
using Tessera.Server.SignInLogs;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// User name and password sign-in. Every failure reads the same and costs the same time, whether the user exists
/// or not, is disabled or locked out, or the source is blocked, so the page tells an attacker nothing about which
/// accounts exist. The sign-in log, which only administrators read, does tell them apart (Entra ID's codes: 50126,
/// 50053, 50057). Smart lockout and spray defence (<see cref="SignInDefence"/>) decide before the password is checked.
/// </summary>
public sealed class SignInModel(
    SignInManager<DirectoryUser> signIn, UserManager<DirectoryUser> users, ClientDirectory clients, SignInLog signIns, SignInDefence defence)
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
        var source = SignInSources.Of(HttpContext.Connection.RemoteIpAddress);
        if (user is not { AccountEnabled: true })
        {
            var blocked = await defence.IsBlockedAsync(Tenant.Id, source, HttpContext.RequestAborted);
            return await RefuseAsync(name, user, blocked ? SignInStatus.BlockedSource
                : user is null ? SignInStatus.InvalidCredentials : SignInStatus.AccountDisabled, source, spendHash: true);
        }

        var verdict = await defence.CheckAsync(user, source, HttpContext.RequestAborted);
        if (verdict.Refusal != DefenceRefusal.None)
        {
            return await RefuseAsync(name, user, verdict.Refusal == DefenceRefusal.BlockedSource ? SignInStatus.BlockedSource : SignInStatus.AccountLocked,
                source, spendHash: true);
        }

        // Tessera's own lockout above; Identity's (LockoutEnd) is an administrator's lock, refused before any hash is spent.
        var result = await signIn.CheckPasswordSignInAsync(user, Password, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            await defence.SucceededAsync(user, verdict.FamiliarSource, HttpContext.RequestAborted);
            return await SignInVerifiedAsync(user);
        }

        if (result.IsLockedOut)
        {
            return await RefuseAsync(name, user, SignInStatus.AccountLocked, source, spendHash: true);
        }

        await defence.FailedAsync(user, verdict.FamiliarSource, Password, HttpContext.RequestAborted);
        return await RefuseAsync(name, user, SignInStatus.InvalidCredentials, source, spendHash: false);
    }

    /// <summary>Everything that happens once the password is verified: the session cookie, the log, and back to the application.</summary>
    private async Task<IActionResult> SignInVerifiedAsync(DirectoryUser user)
    {
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", "pwd")]);
        await RecordAsync(user.UserName!, user, SignInStatus.Success);
        return SeeOther(SafeReturnUrl(ReturnUrl));
    }

    /// <summary>The one failure page, after the time a real password check takes, the log entry and the spray check.</summary>
    private async Task<IActionResult> RefuseAsync(string typedName, DirectoryUser? user, SignInStatus status, string source, bool spendHash)
    {
        if (spendHash)
        {
            users.PasswordHasher.VerifyHashedPassword(new DirectoryUser(), UnknownUserHash, Password!);
        }

        await RecordAsync(typedName, user, status);
        var ip = HttpContext.Connection.RemoteIpAddress;
        var address = ip is null ? string.Empty : (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();
        await defence.DetectSprayAsync(Tenant.Id, source, address, HttpContext.RequestAborted);
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
