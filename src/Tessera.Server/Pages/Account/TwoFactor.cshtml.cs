using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;
using Tessera.Policy.Errors;
using Tessera.Server.Authentication;
using Tessera.Server.Clients;
using Tessera.Server.Protocol.Authorize;
using Tessera.Server.SignInLogs;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// The second step after a right password, for users with an authenticator app: a current code from the app, or one
/// of the recovery codes. Wrong codes count towards the account's lockout like wrong passwords, and each is logged.
/// </summary>
public sealed class TwoFactorModel(
    UserManager<DirectoryUser> users, SessionSignIn sessions, AuthenticatorApp authenticator, ClientDirectory clients, SignInLog signIns)
    : TenantPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public string? RecoveryCode { get; set; }

    public string? ErrorMessage { get; private set; }

    public string? SecurityInfoUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync()
        => await sessions.PendingSecondStepAsync(Tenant.Id) is null ? SignInAgain() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await sessions.PendingSecondStepAsync(Tenant.Id);
        if (user is null)
        {
            return SignInAgain();
        }

        if (await users.IsLockedOutAsync(user))
        {
            return await FailAsync(user, SignInStatus.AccountLocked, AuthenticationErrors.CodeInvalid, "Password, Authenticator app");
        }

        if (!await authenticator.VerifyAsync(user, Code))
        {
            await users.AccessFailedAsync(user);
            return await FailAsync(user, SignInStatus.MfaFailed, AuthenticationErrors.CodeInvalid, "Password, Authenticator app");
        }

        return await CompleteAsync(user, AuthenticationStrengths.PasswordAndAuthenticatorApp);
    }

    public async Task<IActionResult> OnPostRecoveryAsync()
    {
        var user = await sessions.PendingSecondStepAsync(Tenant.Id);
        if (user is null)
        {
            return SignInAgain();
        }

        var code = RecoveryCode?.Trim().Replace(" ", string.Empty, StringComparison.Ordinal);
        if (await users.IsLockedOutAsync(user))
        {
            return await FailAsync(user, SignInStatus.AccountLocked, AuthenticationErrors.RecoveryCodeInvalid, "Password, Recovery code");
        }

        // Identity removes a redeemed code from the user's list: a second use of the same code fails.
        if (code is not { Length: > 0 and <= 64 } || !(await users.RedeemTwoFactorRecoveryCodeAsync(user, code)).Succeeded)
        {
            await users.AccessFailedAsync(user);
            return await FailAsync(user, SignInStatus.MfaFailed, AuthenticationErrors.RecoveryCodeInvalid, "Password, Recovery code");
        }

        return await CompleteAsync(user, AuthenticationStrengths.PasswordAndRecoveryCode);
    }

    private async Task<IActionResult> CompleteAsync(DirectoryUser user, IReadOnlyList<string> methods)
    {
        await users.ResetAccessFailedCountAsync(user);
        await sessions.SignInAsync(user, methods);
        var required = RequestedStrength.OfReturnUrl(ReturnUrl);
        if (!AuthenticationStrengths.Satisfies(methods, required))
        {
            await RecordAsync(user, SignInStatus.StrongerMethodRequired, AuthenticationStrengths.Describe(methods));
            SecurityInfoUrl = QueryHelpers.AddQueryString($"{Request.PathBase}/account/security-info", "returnUrl", SafeReturnUrl(ReturnUrl));
            ErrorMessage = AuthenticationErrors.StrongerMethodRequired.With(
                RequestedStrength.Describe(required), "Add a passkey on your Security info page, then sign in with it.").Description;
            return Page();
        }

        await RecordAsync(user, SignInStatus.Success, AuthenticationStrengths.Describe(methods));
        return SeeOther(SafeReturnUrl(ReturnUrl));
    }

    private async Task<IActionResult> FailAsync(DirectoryUser user, SignInStatus status, TesseraError error, string methods)
    {
        await RecordAsync(user, status, methods);
        ErrorMessage = error.Description;
        return Page();
    }

    private RedirectResult SignInAgain()
        => Redirect(QueryHelpers.AddQueryString($"{Request.PathBase}/account/signin", "returnUrl", SafeReturnUrl(ReturnUrl)));

    private async Task RecordAsync(DirectoryUser user, SignInStatus status, string methods)
    {
        var client = SignInAttempt.ClientIdOf(SafeReturnUrl(ReturnUrl)) is { } clientId
            ? await clients.FindAsync(clientId.ToString("D"), HttpContext.RequestAborted)
            : null;
        signIns.Record(SignInAttempt.Interactive(HttpContext, Tenant.Id, client?.TenantId == Tenant.Id ? client : null).By(user).Using(methods), status);
    }
}
