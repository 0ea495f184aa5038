using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;
using Tessera.Policy.SignIns;
using Tessera.Server.Authentication;
using Tessera.Server.Clients;
using Tessera.Server.Protection;
using Tessera.Server.Protocol.Authorize;
using Tessera.Server.SignInLogs;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// User name and password sign-in, and passkey sign-in. Every password failure reads the same and costs the same time,
/// whether the user exists or not, is disabled or locked out, or the source is blocked, so the page tells an attacker
/// nothing about which accounts exist. The sign-in log, which only administrators read, does tell them apart (Entra
/// ID's codes: 50126, 50053, 50057). Smart lockout and spray defence (<see cref="SignInDefence"/>) decide before the
/// password is checked.
/// </summary>
public sealed class SignInModel(
    SignInManager<DirectoryUser> signIn, UserManager<DirectoryUser> users, ClientDirectory clients, SignInLog signIns, SignInDefence defence,
    SessionSignIn sessions, PasskeyUsage passkeyUsage, ILogger<SignInModel> logger)
    : TenantPageModel
{
    // One sentence for every failure, lockout included: which accounts exist is not for the page to tell.
    private const string Failed = "The user name or password is incorrect. After too many attempts an account is locked for a few minutes.";
    private const int MaxCredentialLength = 16 * 1024;
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

    /// <summary>The passkey assertion: <c>navigator.credentials.get()</c>'s result as JSON.</summary>
    [BindProperty]
    public string? Credential { get; set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>Where a signed-in user adds a stronger method when the application asks for one they have not got.</summary>
    public string? SecurityInfoUrl { get; private set; }

    /// <summary>The strength the application asks for, when it is more than a password.</summary>
    public string? StrengthNotice => RequestedStrength.OfReturnUrl(ReturnUrl) is var strength and > AuthenticationStrength.Password
        ? $"This application requires {RequestedStrength.Describe(strength)}."
        : null;

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

    /// <summary>The one failure page, after the time a real password check takes, the log entry and the spray check.</summary>
    private async Task<IActionResult> RefuseAsync(string typedName, DirectoryUser? user, SignInStatus status, string source, bool spendHash)
    {
        if (spendHash)
        {
            users.PasswordHasher.VerifyHashedPassword(new DirectoryUser(), UnknownUserHash, Password!);
        }

        await RecordAsync(typedName, user, status);
        await defence.DetectSprayAsync(Tenant.Id, source, ClientAddress.Text(HttpContext.Connection.RemoteIpAddress), HttpContext.RequestAborted);
        ErrorMessage = Failed;
        return Page();
    }

    /// <summary>
    /// Everything after a verified password: a user with an authenticator app goes on to the second step (Identity's
    /// two-factor cookie remembers whose password was right); anyone else is signed in with <c>amr: ["pwd"]</c>.
    /// An application asking for more than a password gets no code from a password alone: the user is told what it
    /// needs and where to add it (signed in, so that Security info lets them).
    /// </summary>
    private async Task<IActionResult> SignInVerifiedAsync(DirectoryUser user)
    {
        if (user.TwoFactorEnabled)
        {
            await sessions.BeginSecondStepAsync(user);
            await RecordAsync(user.UserName ?? string.Empty, user, SignInStatus.MfaRequired);
            return SeeOther(QueryHelpers.AddQueryString($"{Request.PathBase}/account/two-factor", "returnUrl", SafeReturnUrl(ReturnUrl)));
        }

        await sessions.SignInAsync(user, AuthenticationStrengths.Password);
        var required = RequestedStrength.OfReturnUrl(ReturnUrl);
        if (required > AuthenticationStrength.Password)
        {
            await RecordAsync(user.UserName ?? string.Empty, user, SignInStatus.StrongerMethodRequired);
            return StrongerMethodNeeded(required);
        }

        await RecordAsync(user.UserName ?? string.Empty, user, SignInStatus.Success);
        return SeeOther(SafeReturnUrl(ReturnUrl));
    }

    /// <summary>Request options for a passkey sign-in: any passkey of this site (discoverable credentials, no user name).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync()
        => Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json");

    /// <summary>Signs in with the passkey the browser returned, if it verifies against the challenge of this browser.</summary>
    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        if (string.IsNullOrEmpty(Credential) || Credential.Length > MaxCredentialLength)
        {
            ErrorMessage = AuthenticationErrors.PasskeyFailed.Description;
            return Page();
        }

        PasskeyAssertionResult<DirectoryUser> assertion;
        try
        {
            assertion = await signIn.PerformPasskeyAssertionAsync(Credential);
        }
        catch (InvalidOperationException)
        {
            // No ceremony under way in this browser (expired, never started, or already used).
            assertion = PasskeyAssertionResult.Fail<DirectoryUser>(new PasskeyException("No passkey sign-in is under way."));
        }

        var user = assertion.Succeeded && assertion.Passkey is not null ? assertion.User : null;
        if (!assertion.Succeeded)
        {
            AuthenticationLog.PasskeySignInFailed(logger, assertion.Failure?.Message ?? "unknown");
        }

        if (user is null || user.TenantId != Tenant.Id || !user.AccountEnabled || await users.IsLockedOutAsync(user))
        {
            var status = user is null || user.TenantId != Tenant.Id ? SignInStatus.PasskeyFailed
                : !user.AccountEnabled ? SignInStatus.AccountDisabled
                : SignInStatus.AccountLocked;
            await RecordAsync(string.Empty, user?.TenantId == Tenant.Id ? user : null, status, "Passkey");
            ErrorMessage = AuthenticationErrors.PasskeyFailed.Description;
            return Page();
        }

        // Identity checked the signature counter; store the new one (and when it was used).
        var updated = await users.AddOrUpdatePasskeyAsync(user, assertion.Passkey!);
        if (!updated.Succeeded)
        {
            await RecordAsync(string.Empty, user, SignInStatus.PasskeyFailed, "Passkey");
            ErrorMessage = AuthenticationErrors.PasskeyFailed.Description;
            return Page();
        }

        await passkeyUsage.RecordAsync(user, assertion.Passkey!.CredentialId);
        await sessions.SignInAsync(user, AuthenticationStrengths.Passkey);
        await RecordAsync(string.Empty, user, SignInStatus.Success, AuthenticationStrengths.Describe(AuthenticationStrengths.Passkey));
        return SeeOther(SafeReturnUrl(ReturnUrl));
    }

    private PageResult StrongerMethodNeeded(AuthenticationStrength required)
    {
        SecurityInfoUrl = QueryHelpers.AddQueryString($"{Request.PathBase}/account/security-info", "returnUrl", SafeReturnUrl(ReturnUrl));
        ErrorMessage = AuthenticationErrors.StrongerMethodRequired.With(
            RequestedStrength.Describe(required),
            "Add a passkey on your Security info page, then sign in with it.").Description;
        return Page();
    }

    /// <summary>Logs the attempt against the application whose authorization request sent the user here, if any.</summary>
    private async Task RecordAsync(string typedName, DirectoryUser? user, SignInStatus status, string? methods = null)
    {
        var client = SignInAttempt.ClientIdOf(SafeReturnUrl(ReturnUrl)) is { } clientId
            ? await clients.FindAsync(clientId.ToString("D"), HttpContext.RequestAborted)
            : null;
        var attempt = SignInAttempt.Interactive(HttpContext, Tenant.Id, client?.TenantId == Tenant.Id ? client : null);
        if (methods is not null)
        {
            attempt = attempt.Using(methods);
        }

        signIns.Record(user is null ? attempt.ByName(typedName) : attempt.By(user), status);
    }
}
