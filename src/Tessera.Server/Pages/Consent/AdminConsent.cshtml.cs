using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Errors;
using Tessera.Server.Admin;
using Tessera.Server.Consent;

namespace Tessera.Server.Pages.Consent;

/// <summary>
/// Entra ID's admin consent endpoint (<c>/{tenant}/v2.0/adminconsent?client_id=&amp;redirect_uri=&amp;scope=&amp;state=</c>):
/// an administrator reviews what the application needs and grants it for the whole organisation; the browser then
/// returns to the application with <c>admin_consent=True</c> or an OAuth error. An unknown client or unregistered
/// redirect URI is answered here, never by a redirect.
/// </summary>
public sealed class AdminConsentModel(UserManager<DirectoryUser> users, AdminConsent adminConsent, TesseraDbContext db) : TenantPageModel
{
    [BindProperty(Name = "client_id", SupportsGet = true)]
    public string? ClientId { get; set; }

    [BindProperty(Name = "redirect_uri", SupportsGet = true)]
    public string? RedirectUri { get; set; }

    [BindProperty(Name = "scope", SupportsGet = true)]
    public string? Scope { get; set; }

    [BindProperty(Name = "state", SupportsGet = true)]
    public string? State { get; set; }

    public AdminConsentPlan Plan { get; private set; } = null!;
    public string UserName { get; private set; } = string.Empty;
    public TesseraError? Error { get; private set; }

    public Task<IActionResult> OnGetAsync() => HandleAsync(decision: null);

    public Task<IActionResult> OnPostAsync(string? decision) => HandleAsync(decision ?? "deny");

    private async Task<IActionResult> HandleAsync(string? decision)
    {
        Plan = await adminConsent.PlanAsync(Tenant.Id, ClientId, Scope, HttpContext.RequestAborted);
        if (Plan.Client is null)
        {
            return Refuse(Plan.Error!);
        }

        if (RedirectUri is not null && !Plan.Client.AllRedirectUris.Contains(RedirectUri, StringComparer.Ordinal))
        {
            return Refuse(TesseraErrors.AdminConsentRedirectUri.With(RedirectUri));
        }

        if (Plan.Error is not null)
        {
            return Return(Plan.Error);
        }

        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn();
        }

        if (!(await adminConsent.AuthorityAsync(Tenant.Id, user.Id, HttpContext.RequestAborted)).Delegated)
        {
            return Return(TesseraErrors.AdminConsentNotAdministrator);
        }

        UserName = user.UserName ?? string.Empty;
        switch (decision)
        {
            case null:
                return Page();
            case "accept":
                if (await adminConsent.GrantAsync(Tenant.Id, user, Plan, HttpContext.RequestAborted) is { } refused)
                {
                    return Return(refused);
                }

                await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));
                return Return(null);
            default:
                return Return(TesseraErrors.ConsentDenied);
        }
    }

    /// <summary>Back to the application: <c>admin_consent=True</c>, or the error; without a redirect URI, a page that says so.</summary>
    private IActionResult Return(TesseraError? error)
    {
        var target = RedirectUri ?? Plan.Client!.AllRedirectUris.FirstOrDefault();
        if (target is null)
        {
            if (error is not null)
            {
                return Refuse(error);
            }

            Error = null;
            Plan = Plan with { Items = [] };
            return Page();
        }

        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (error is null)
        {
            parameters["admin_consent"] = "True";
            parameters["tenant"] = Tenant.Id.ToString("D");
            parameters["scope"] = Scope;
        }
        else
        {
            parameters["error"] = error.OAuthError;
            parameters["error_description"] = error.Description;
        }

        parameters["state"] = State;
        return SeeOther(QueryHelpers.AddQueryString(target, parameters.Where(p => p.Value is not null)));
    }

    private PageResult Refuse(TesseraError error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
