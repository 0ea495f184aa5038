using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using ClientApps = Tessera.Policy.ConditionalAccess.ClientApps;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;
using Tessera.Policy.Consent;
using Tessera.Server.Admin;
using Tessera.Server.Clients;
using Tessera.Server.ConditionalAccess;
using Tessera.Server.Consent;
using Tessera.Server.Protocol.Tokens;
using Tessera.Server.SignInLogs;
using AccessOutcome = Tessera.Policy.ConditionalAccess.AccessOutcome;

namespace Tessera.Server.Pages.Device;

/// <summary>
/// The device code flow's verification page (RFC 8628 §3.3): the signed-in user enters the code shown on the device,
/// sees which application asks for what, and approves or refuses. A code is bound to the user only by that approval.
/// Approving also consents, for the user, to what the application asks and is not yet granted; what only an
/// administrator may grant is refused here.
/// </summary>
public sealed class DeviceLoginModel(
    UserManager<DirectoryUser> users, ClientDirectory clients, ConsentService consents, TesseraDbContext db, TimeProvider time,
    ConditionalAccessGate conditionalAccess, SignInLog signIns) : TenantPageModel
{
    [BindProperty(Name = "user_code", SupportsGet = true)]
    public string? UserCode { get; set; }

    public string? ClientName { get; private set; }
    public string UserName { get; private set; } = string.Empty;
    public IReadOnlyList<string> Permissions { get; private set; } = [];

    /// <summary>Why the user cannot approve (only an administrator may grant what is asked), or null.</summary>
    public string? NeedsAdmin { get; private set; }
    public string? ErrorMessage { get; private set; }
    public string? Done { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn();
        }

        if (string.IsNullOrWhiteSpace(UserCode))
        {
            return Page();
        }

        var request = await PendingRequestAsync();
        if (request is null)
        {
            ErrorMessage = "That code is not valid or has expired. Check the code on your device, or start again there.";
            return Page();
        }

        var client = await clients.FindAsync(request.ClientId!, HttpContext.RequestAborted);
        ClientName = client?.DisplayName ?? "An application";
        UserName = user.UserName ?? string.Empty;
        var decision = await consents.EvaluateAsync(Tenant.Id, user, request, HttpContext.RequestAborted);
        Permissions = decision.Scopes.Select(s => s.Words).ToList();
        NeedsAdmin = decision.Error is null && !decision.UserMayGrant ? ConsentPolicy.Explain(decision.UserBlock) : null;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision)
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn();
        }

        var request = await PendingRequestAsync();
        if (request is null)
        {
            ErrorMessage = "That code is not valid or has expired. Check the code on your device, or start again there.";
            return Page();
        }

        if (!string.Equals(decision, "accept", StringComparison.Ordinal))
        {
            return Forbid(new AuthenticationProperties { RedirectUri = $"{Request.PathBase}/devicelogin?done=denied" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        var evaluation = await consents.EvaluateAsync(Tenant.Id, user, request, HttpContext.RequestAborted);
        if (evaluation.Error is null && evaluation.ConsentNeeded)
        {
            if (await consents.GrantAsync(Tenant.Id, user, request, forEveryone: false, HttpContext.RequestAborted) is not null)
            {
                return Forbid(new AuthenticationProperties { RedirectUri = $"{Request.PathBase}/devicelogin?done=needsadmin" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            }

            await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));
            evaluation = await consents.EvaluateAsync(Tenant.Id, user, request, HttpContext.RequestAborted);
        }

        if (evaluation.Error is not null || evaluation.ConsentNeeded)
        {
            return Forbid(new AuthenticationProperties { RedirectUri = $"{Request.PathBase}/devicelogin?done=refused" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var methods = Protocol.Authorize.AuthorizeEndpoint.AuthenticationMethods(session.Principal!).ToList();
        var authenticatedAt = session.Properties?.IssuedUtc ?? time.GetUtcNow();

        // Conditional Access at the moment the user approves, as at the authorization endpoint.
        var client = await clients.FindInAsync(request.ClientId!, Tenant.Id, HttpContext.RequestAborted);
        var access = await conditionalAccess.ForUserAsync(
            Tenant.Id, user.Id, evaluation.Resource?.AppId ?? client!.AppId, ClientApps.DeviceCode, HttpContext.Connection.RemoteIpAddress, methods, authenticatedAt,
            new HashSet<string>(StringComparer.Ordinal), HttpContext.RequestAborted);
        var attempt = SignInAttempt.Interactive(HttpContext, Tenant.Id, client).By(user).For(evaluation.Resource?.AppId)
            .Using(AuthenticationStrengths.Describe(methods)).Under(access);
        if (access.Outcome == AccessOutcome.Blocked)
        {
            signIns.Record(attempt, SignInStatus.ConditionalAccessBlocked);
            return Forbid(new AuthenticationProperties { RedirectUri = $"{Request.PathBase}/devicelogin?done=blocked" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (access.Outcome == AccessOutcome.ControlsRequired)
        {
            // Back to this page after a stronger sign-in; the code stays pending meanwhile.
            signIns.Record(attempt, SignInStatus.ConditionalAccessMfaRequired);
            var returnUrl = QueryHelpers.AddQueryString($"{Request.PathBase}/devicelogin", "user_code", UserCode ?? string.Empty);
            var strength = ConditionalAccessGate.SignInStrengthOf(access);
            if (strength > AuthenticationStrength.Password && AuthenticationStrengths.AcrOf(strength) is { } acr)
            {
                returnUrl = QueryHelpers.AddQueryString(returnUrl, Protocol.Authorize.RequestedStrength.ConditionalAccessMarker, acr);
            }

            return RedirectToSignIn(returnUrl);
        }

        if (AppliedPolicies.AnyApplied(access))
        {
            signIns.Record(attempt, SignInStatus.Success);
        }

        var principal = TokenPrincipals.ForUser(
            user, request.ClientId!, azpacr: "0", request.GetScopes(), evaluation.Resource, evaluation.GrantedApiScopes, evaluation.Roles,
            authenticatedAt, methods);
        return SignIn(principal, new AuthenticationProperties { RedirectUri = $"{Request.PathBase}/devicelogin?done=approved" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        base.OnPageHandlerExecuting(context);
        Done = Request.Query["done"].ToString() switch
        {
            "approved" => "You are signed in on your device",
            "denied" => "Sign-in cancelled",
            "refused" => "This application asked for something that does not exist or that you may not use; nothing was granted",
            "needsadmin" => "This application needs an administrator's approval; nothing was granted",
            "blocked" => "Access has been blocked by your organization's Conditional Access policies; nothing was granted",
            _ => null,
        };
    }

    /// <summary>The device's authorization request behind the entered code, as OpenIddict validated it.</summary>
    private async Task<OpenIddictRequest?> PendingRequestAsync()
    {
        var result = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } device)
        {
            return null;
        }

        var clientId = device.GetPresenters().FirstOrDefault();
        var client = clientId is null ? null : await clients.FindInAsync(clientId, Tenant.Id, HttpContext.RequestAborted);
        return client is null
            ? null
            : new OpenIddictRequest { ClientId = clientId, Scope = string.Join(' ', device.GetScopes()) };
    }
}
