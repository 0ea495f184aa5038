using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Consent;
using Tessera.Server.Admin;
using Tessera.Server.Clients;
using Tessera.Server.Consent;

namespace Tessera.Server.Pages.Account;

/// <summary>
/// The consent page: who publishes the application, each permission it asks for in words with its risk, and either
/// Accept (the user, or an administrator for everyone) or, when the tenant's policy leaves it to administrators,
/// a request for their approval.
/// </summary>
public sealed class ConsentModel(UserManager<DirectoryUser> users, ClientDirectory clients, ConsentService consents, TesseraDbContext db) : TenantPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string UserName { get; private set; } = string.Empty;
    public ConsentDecision Decision { get; private set; } = null!;
    public string? ErrorMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var (user, request) = await LoadAsync();
        if (user is null || request is null)
        {
            return SeeOther(SafeReturnUrl(ReturnUrl));
        }

        return await ShowAsync(user, request);
    }

    public async Task<IActionResult> OnPostAsync(string? decision, bool forEveryone, string? reason)
    {
        var returnUrl = SafeReturnUrl(ReturnUrl);
        var (user, request) = await LoadAsync();
        if (user is null || request is null)
        {
            return SeeOther(returnUrl);
        }

        switch (decision)
        {
            case "accept":
                var refused = await consents.GrantAsync(Tenant.Id, user, request, forEveryone, HttpContext.RequestAborted);
                if (refused is not null)
                {
                    ErrorMessage = refused.Sentence;
                    Response.StatusCode = StatusCodes.Status403Forbidden;
                    return await ShowAsync(user, request);
                }

                await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));
                return SeeOther(returnUrl);
            case "request":
                if (await consents.RequestApprovalAsync(Tenant.Id, user, request, reason, HttpContext.RequestAborted) is null)
                {
                    await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));
                }

                return SeeOther(QueryHelpers.AddQueryString(returnUrl, ConsentService.AdminApprovalMarker, "1"));
            default:
                return SeeOther(QueryHelpers.AddQueryString(returnUrl, ConsentService.DeniedMarker, "1"));
        }
    }

    public static string RiskLabel(PermissionRisk risk) => risk switch
    {
        PermissionRisk.Low => "Low risk",
        PermissionRisk.High => "High risk",
        _ => "Medium risk",
    };

    private async Task<IActionResult> ShowAsync(DirectoryUser user, OpenIddictRequest request)
    {
        Decision = await consents.EvaluateAsync(Tenant.Id, user, request, HttpContext.RequestAborted);
        if (Decision.Error is not null)
        {
            // The authorization endpoint returns the error to the client.
            return SeeOther(SafeReturnUrl(ReturnUrl));
        }

        UserName = user.UserName ?? string.Empty;
        return Page();
    }

    /// <summary>The signed-in user and the authorization request the consent is for (from the return URL).</summary>
    private async Task<(DirectoryUser? User, OpenIddictRequest? Request)> LoadAsync()
    {
        var user = await SignedInUserAsync(users);
        var returnUrl = SafeReturnUrl(ReturnUrl);
        if (user is null || !returnUrl.Contains('?', StringComparison.Ordinal))
        {
            return (null, null);
        }

        // The return URL comes from the browser: consent is only for a client usable in this tenant.
        var query = QueryHelpers.ParseQuery(returnUrl[returnUrl.IndexOf('?', StringComparison.Ordinal)..]);
        var request = new OpenIddictRequest(query);
        var client = string.IsNullOrEmpty(request.ClientId) ? null : await clients.FindInAsync(request.ClientId, Tenant.Id, HttpContext.RequestAborted);
        return client is null ? (user, null) : (user, request);
    }
}
