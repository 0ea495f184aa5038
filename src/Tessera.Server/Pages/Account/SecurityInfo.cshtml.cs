using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;
using Tessera.Policy.Errors;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Authentication;
using Tessera.Server.SharedSignals;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// A person's own sign-in methods: password, passkeys, authenticator app, recovery codes. Anyone signed in may look;
/// adding or removing a method needs a sign-in of the last 10 minutes (else the person signs in again and comes
/// back here), so that a session left open on a shared computer cannot be used to plant a method. Every change is
/// audited. Removing the last strong method is allowed (the person is told they are back to a password alone);
/// removing the last way to sign in at all is not.
/// </summary>
public sealed class SecurityInfoModel(
    UserManager<DirectoryUser> users, SignInManager<DirectoryUser> signIn, SessionSignIn sessions, AuthenticatorApp authenticator,
    PasskeyUsage passkeyUsage, AuditLog audit, TimeProvider time, SecurityEventOutbox signals, ILogger<SecurityInfoModel> logger)
    : TenantPageModel
{
    private const string Category = "UserManagement";
    private const int MaxCredentialLength = 16 * 1024;
    private const int RecoveryCodeCount = 10;

    public sealed record PasskeyRow(string Id, string Name, DateTimeOffset Created, DateTimeOffset? LastUsed);

    /// <summary>The application page to go back to, if the person came here from a sign-in for one.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Credential { get; set; }

    [BindProperty]
    public string? PasskeyId { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public string UserName { get; private set; } = string.Empty;
    public bool HasPassword { get; private set; }
    public IReadOnlyList<PasskeyRow> Passkeys { get; private set; } = [];
    public bool AuthenticatorEnabled { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public bool Recent { get; private set; }
    public string? SetupKey { get; private set; }
    public string? SetupQrCode { get; private set; }
    public IReadOnlyList<string>? NewRecoveryCodes { get; private set; }
    public string? Message { get; private set; }
    public string? ErrorMessage { get; private set; }

    /// <summary>Passkeys plus the authenticator app: the methods that are more than a password.</summary>
    public int StrongMethods => Passkeys.Count + (AuthenticatorEnabled ? 1 : 0);

    public string? BackUrl => string.IsNullOrEmpty(ReturnUrl) ? null : SafeReturnUrl(ReturnUrl);

    public async Task<IActionResult> OnGetAsync(string? setup, string? done)
    {
        var (user, session) = await SignedInAsync();
        if (user is null)
        {
            return RedirectToSignIn();
        }

        await LoadAsync(user, session);
        if (setup == "authenticator" && !AuthenticatorEnabled && Recent)
        {
            await ShowSetupAsync(user);
        }

        Message = done switch
        {
            "passkey-added" => "Your passkey was added. You can now sign in with it, without your password.",
            "passkey-renamed" => "The passkey was renamed.",
            "passkey-removed" => StrongMethods == 0
                ? "The passkey was removed. You have no passkey or authenticator app left: you now sign in with your password alone, and applications that require MFA will send you here to add a method."
                : "The passkey was removed. It can no longer be used to sign in.",
            "authenticator-removed" => StrongMethods == 0
                ? "The authenticator app was removed. You have no passkey left either: you now sign in with your password alone, and applications that require MFA will send you here to add a method."
                : "The authenticator app was removed. You are no longer asked for its code after your password.",
            _ => null,
        };
        return Page();
    }

    /// <summary>Creation options for a new passkey of the signed-in user (JSON for the passkey script).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync()
    {
        var (user, session) = await SignedInAsync();
        if (user is null || !SessionSignIn.IsRecent(session, time.GetUtcNow()))
        {
            return new JsonResult(new { error = "login_required", signIn = SignInUrl() }) { StatusCode = StatusCodes.Status401Unauthorized };
        }

        var entity = new PasskeyUserEntity { Id = user.Id.ToString("D"), Name = user.UserName!, DisplayName = user.DisplayName ?? user.UserName! };
        return Content(await signIn.MakePasskeyCreationOptionsAsync(entity), "application/json");
    }

    public async Task<IActionResult> OnPostAddPasskeyAsync()
    {
        var (user, session, recent) = await RecentAsync();
        if (recent is not null)
        {
            return recent;
        }

        var name = string.IsNullOrWhiteSpace(Name) ? "Passkey" : Name.Trim();
        if (name.Length > 64)
        {
            return await FailAsync(user!, session, AuthenticationErrors.PasskeyNameInvalid);
        }

        if (string.IsNullOrEmpty(Credential) || Credential.Length > MaxCredentialLength)
        {
            return await FailAsync(user!, session, AuthenticationErrors.PasskeyNotRegistered);
        }

        PasskeyAttestationResult attestation;
        try
        {
            attestation = await signIn.PerformPasskeyAttestationAsync(Credential);
        }
        catch (InvalidOperationException)
        {
            // No registration under way in this browser (expired, never started, or options made for a sign-in).
            return await FailAsync(user!, session, AuthenticationErrors.PasskeyNotRegistered);
        }

        // The options must have been made for this user, and the credential must be new to the whole directory.
        if (!attestation.Succeeded || attestation.Passkey is null ||
            !string.Equals(attestation.UserEntity?.Id, user!.Id.ToString("D"), StringComparison.Ordinal) ||
            await users.FindByPasskeyIdAsync(attestation.Passkey.CredentialId) is not null)
        {
            AuthenticationLog.PasskeyNotAdded(logger, user!.Id, attestation.Failure?.Message ?? "the credential or its options belong to someone else");
            return await FailAsync(user!, session, AuthenticationErrors.PasskeyNotRegistered);
        }

        attestation.Passkey.Name = name;
        await AuditAsync(user, "User registered security info", new ModifiedProperty("Passkey", null, name));
        await SignalAsync(user, DirectoryChangeKind.MethodAdded, PasskeyCredentialType(attestation.Passkey.Transports), passkeyDelta: 1);
        return await SavedAsync(user, session, await users.AddOrUpdatePasskeyAsync(user, attestation.Passkey), "passkey-added");
    }

    /// <summary>Renaming changes no way to sign in, so it needs no recent sign-in.</summary>
    public async Task<IActionResult> OnPostRenamePasskeyAsync()
    {
        var (user, session) = await SignedInAsync();
        if (user is null)
        {
            return RedirectToSignIn(OwnUrl());
        }

        var name = Name?.Trim();
        if (name is not { Length: > 0 and <= 64 })
        {
            return await FailAsync(user, session, AuthenticationErrors.PasskeyNameInvalid);
        }

        if (await FindPasskeyAsync(user) is not { } passkey)
        {
            return await FailAsync(user, session, AuthenticationErrors.PasskeyUnknown);
        }

        var before = passkey.Name;
        passkey.Name = name;
        await AuditAsync(user, "User changed security info", new ModifiedProperty("Passkey", before, name));
        return await SavedAsync(user, session, await users.AddOrUpdatePasskeyAsync(user, passkey), "passkey-renamed");
    }

    public async Task<IActionResult> OnPostRemovePasskeyAsync()
    {
        var (user, session, recent) = await RecentAsync();
        if (recent is not null)
        {
            return recent;
        }

        if (await FindPasskeyAsync(user!) is not { } passkey)
        {
            return await FailAsync(user!, session, AuthenticationErrors.PasskeyUnknown);
        }

        if (!await users.HasPasswordAsync(user!) && (await users.GetPasskeysAsync(user!)).Count == 1)
        {
            return await FailAsync(user!, session, AuthenticationErrors.LastMethod);
        }

        await AuditAsync(user!, "User deleted security info", new ModifiedProperty("Passkey", passkey.Name, null));
        await SignalAsync(user!, DirectoryChangeKind.MethodRemoved, PasskeyCredentialType(passkey.Transports), passkeyDelta: -1);
        var removed = await users.RemovePasskeyAsync(user!, passkey.CredentialId);
        if (removed.Succeeded)
        {
            await passkeyUsage.ForgetAsync(user!, passkey.CredentialId);
        }

        return await SavedAsync(user!, session, removed, "passkey-removed");
    }

    /// <summary>Makes a new shared key (the old one, if any was never confirmed, stops working) and shows it.</summary>
    public async Task<IActionResult> OnPostSetUpAuthenticatorAsync()
    {
        var (user, session, recent) = await RecentAsync();
        if (recent is not null)
        {
            return recent;
        }

        if (user!.TwoFactorEnabled)
        {
            return await FailAsync(user, session, AuthenticationErrors.AuthenticatorAlreadySetUp);
        }

        await users.ResetAuthenticatorKeyAsync(user);
        await sessions.RefreshAsync(user, session);
        return SeeOther(QueryHelpers.AddQueryString(OwnUrl(), "setup", "authenticator"));
    }

    /// <summary>Turns the authenticator app on once the person proves their app has the key, and shows recovery codes once.</summary>
    public async Task<IActionResult> OnPostConfirmAuthenticatorAsync()
    {
        var (user, session, recent) = await RecentAsync();
        if (recent is not null)
        {
            return recent;
        }

        if (user!.TwoFactorEnabled)
        {
            return await FailAsync(user, session, AuthenticationErrors.AuthenticatorAlreadySetUp);
        }

        if (!await authenticator.VerifyAsync(user, Code))
        {
            await LoadAsync(user, session);
            await ShowSetupAsync(user);
            ErrorMessage = AuthenticationErrors.CodeInvalid.Description;
            return Page();
        }

        await AuditAsync(user, "User registered security info", new ModifiedProperty("AuthenticatorApp", null, "Enabled"));
        await SignalAsync(user, DirectoryChangeKind.MethodAdded, "app", authenticatorApp: true);
        var enabled = await users.SetTwoFactorEnabledAsync(user, true);
        if (!enabled.Succeeded)
        {
            return await FailAsync(user, session, AuthenticationErrors.ChangeFailed);
        }

        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        await sessions.RefreshAsync(user, session);
        await LoadAsync(user, session);
        NewRecoveryCodes = codes?.ToList();
        Message = "Your authenticator app is set up: after your password you will be asked for its code. Keep these recovery codes somewhere safe; each works once, in place of a code, and they are shown only now.";
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAuthenticatorAsync()
    {
        var (user, session, recent) = await RecentAsync();
        if (recent is not null)
        {
            return recent;
        }

        if (!user!.TwoFactorEnabled)
        {
            return SeeOther(OwnUrl());
        }

        await AuditAsync(user, "User deleted security info", new ModifiedProperty("AuthenticatorApp", "Enabled", null));
        await SignalAsync(user, DirectoryChangeKind.MethodRemoved, "app", authenticatorApp: false);
        var disabled = await users.SetTwoFactorEnabledAsync(user, false);
        if (!disabled.Succeeded)
        {
            return await FailAsync(user, session, AuthenticationErrors.ChangeFailed);
        }

        // A new key, never shown: the old app's codes stop working; recovery codes go with the app they stand in for.
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await sessions.RefreshAsync(user, session);
        return SeeOther(QueryHelpers.AddQueryString(OwnUrl(), "done", "authenticator-removed"));
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        var (user, session, recent) = await RecentAsync();
        if (recent is not null)
        {
            return recent;
        }

        if (!user!.TwoFactorEnabled)
        {
            return await FailAsync(user, session, AuthenticationErrors.AuthenticatorNotSetUp);
        }

        await AuditAsync(user, "User registered security info", new ModifiedProperty("RecoveryCodes", null, "Generated"));
        await SignalAsync(user, DirectoryChangeKind.MethodAdded, "recovery-code");
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        await LoadAsync(user, session);
        NewRecoveryCodes = codes?.ToList();
        Message = "New recovery codes: the old ones no longer work. Keep these somewhere safe; they are shown only now.";
        return Page();
    }

    private async Task<(DirectoryUser? User, AuthenticateResult Session)> SignedInAsync()
    {
        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return (await SignedInUserAsync(users), session);
    }

    /// <summary>The signed-in user if they signed in recently; else where they must go first.</summary>
    private async Task<(DirectoryUser? User, AuthenticateResult Session, IActionResult? Redirect)> RecentAsync()
    {
        var (user, session) = await SignedInAsync();
        return user is null || !SessionSignIn.IsRecent(session, time.GetUtcNow())
            ? (user, session, Redirect(SignInUrl()))
            : (user, session, null);
    }

    private string OwnUrl()
        => string.IsNullOrEmpty(ReturnUrl)
            ? $"{Request.PathBase}/account/security-info"
            : QueryHelpers.AddQueryString($"{Request.PathBase}/account/security-info", "returnUrl", SafeReturnUrl(ReturnUrl));

    private string SignInUrl() => QueryHelpers.AddQueryString($"{Request.PathBase}/account/signin", "returnUrl", OwnUrl());

    private async Task<UserPasskeyInfo?> FindPasskeyAsync(DirectoryUser user)
        => PasskeyUsage.ParseId(PasskeyId) is { } id ? await users.GetPasskeyAsync(user, id) : null;

    private Task AuditAsync(DirectoryUser user, string activity, ModifiedProperty change)
        => audit.RecordAsync(Tenant.Id, user, Category, activity,
            new AuditTarget(user.Id.ToString("D"), "User", user.UserName, [change]), HttpContext.RequestAborted);

    /// <summary>
    /// Queues the change for the APIs, in the unit of work of the audit entry (Identity's store saves both with the
    /// change). The person's own sessions go on: they made the change, having signed in recently.
    /// </summary>
    /// <remarks>
    /// Called before the change is applied: <paramref name="passkeyDelta"/> and <paramref name="authenticatorApp"/> say
    /// what it does, so that an <c>assurance-level-change</c> follows when the strongest possible sign-in moves.
    /// </remarks>
    private async Task SignalAsync(DirectoryUser user, DirectoryChangeKind kind, string credentialType, int passkeyDelta = 0, bool? authenticatorApp = null)
    {
        var now = time.GetUtcNow();
        await signals.QueueAsync(Tenant.Id, new DirectoryChange(kind, user.Id, now, InitiatingEntities.User, CredentialType: credentialType),
            HttpContext.RequestAborted);
        var passkeys = (await users.GetPasskeysAsync(user)).Count;
        var before = AssuranceLevels.Achievable(passkeys, user.TwoFactorEnabled);
        var after = AssuranceLevels.Achievable(passkeys + passkeyDelta, authenticatorApp ?? user.TwoFactorEnabled);
        if (AssuranceLevels.Change(before, after) is { } change)
        {
            await signals.QueueAsync(Tenant.Id, new DirectoryChange(DirectoryChangeKind.AssuranceLevelChanged, user.Id, now, InitiatingEntities.User, Assurance: change),
                HttpContext.RequestAborted);
        }
    }

    /// <summary>CAEP's name for a passkey: one built into the device (transport <c>internal</c>), else a roaming one.</summary>
    private static string PasskeyCredentialType(IEnumerable<string>? transports)
        => transports?.Contains("internal", StringComparer.Ordinal) == true ? "fido2-platform" : "fido2-roaming";

    /// <summary>
    /// The audit entry was added to the same unit of work as the change, which Identity's store saved: both or neither.
    /// </summary>
    private async Task<IActionResult> SavedAsync(DirectoryUser user, AuthenticateResult session, IdentityResult result, string done)
        => result.Succeeded
            ? SeeOther(QueryHelpers.AddQueryString(OwnUrl(), "done", done))
            : await FailAsync(user, session, AuthenticationErrors.ChangeFailed);

    private async Task<IActionResult> FailAsync(DirectoryUser user, AuthenticateResult session, TesseraError error)
    {
        await LoadAsync(user, session);
        ErrorMessage = error.Description;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task LoadAsync(DirectoryUser user, AuthenticateResult session)
    {
        UserName = user.UserName ?? string.Empty;
        HasPassword = await users.HasPasswordAsync(user);
        AuthenticatorEnabled = user.TwoFactorEnabled;
        RecoveryCodesLeft = AuthenticatorEnabled ? await users.CountRecoveryCodesAsync(user) : 0;
        Recent = SessionSignIn.IsRecent(session, time.GetUtcNow());
        var rows = new List<PasskeyRow>();
        foreach (var passkey in await users.GetPasskeysAsync(user))
        {
            rows.Add(new PasskeyRow(PasskeyUsage.Id(passkey.CredentialId), passkey.Name ?? "Passkey", passkey.CreatedAt,
                await passkeyUsage.LastUsedAsync(user, passkey.CredentialId)));
        }

        Passkeys = [.. rows.OrderBy(p => p.Created)];
    }

    private async Task ShowSetupAsync(DirectoryUser user)
    {
        var key = await authenticator.KeyAsync(user);
        SetupKey = AuthenticatorApp.Readable(key);
        SetupQrCode = AuthenticatorApp.QrCodeDataUri(AuthenticatorApp.EnrolmentUri($"Tessera ({Tenant.DisplayName})", user.UserName!, key));
    }
}
