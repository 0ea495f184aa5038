using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using Tessera.Directory.Users;
using Tessera.Server.Clients;
using Tessera.Server.Protocol.Authorize;

namespace Tessera.Server.Pages.Account;

/// <summary>The consent page: what the application asks for, in words; accepting records a standing grant.</summary>
public sealed class ConsentModel(UserManager<DirectoryUser> users, ClientDirectory clients, ConsentService consents) : TenantPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string ClientName { get; private set; } = string.Empty;
    public string UserName { get; private set; } = string.Empty;
    public IReadOnlyList<string> Permissions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var (user, request) = await LoadAsync();
        if (user is null || request is null)
        {
            return SeeOther(SafeReturnUrl(ReturnUrl));
        }

        var client = await clients.FindAsync(request.ClientId ?? string.Empty, HttpContext.RequestAborted);
        ClientName = client?.DisplayName ?? "An unknown application";
        UserName = user.UserName ?? string.Empty;
        Permissions = request.GetScopes().Select(PermissionWords.Describe).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision)
    {
        var returnUrl = SafeReturnUrl(ReturnUrl);
        var (user, request) = await LoadAsync();
        if (user is null || request is null)
        {
            return SeeOther(returnUrl);
        }

        if (!string.Equals(decision, "accept", StringComparison.Ordinal))
        {
            return SeeOther(QueryHelpers.AddQueryString(returnUrl, ConsentService.DeniedMarker, "1"));
        }

        // Grant only what the authorization endpoint would accept: known API, exposed scopes.
        var evaluation = await consents.EvaluateAsync(Tenant.Id, user, request, HttpContext.RequestAborted);
        if (evaluation.Error is null)
        {
            await consents.GrantAsync(user, request, HttpContext.RequestAborted);
        }

        return SeeOther(returnUrl);
    }

    /// <summary>The signed-in user and the authorization request the consent is for (from the return URL).</summary>
    private async Task<(DirectoryUser? User, OpenIddictRequest? Request)> LoadAsync()
    {
        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal!) : null;
        var returnUrl = SafeReturnUrl(ReturnUrl);
        if (user is null || user.TenantId != Tenant.Id || !returnUrl.Contains('?', StringComparison.Ordinal))
        {
            return (null, null);
        }

        // The return URL comes from the browser: consent is only for a client registered in this tenant.
        var query = QueryHelpers.ParseQuery(returnUrl[returnUrl.IndexOf('?', StringComparison.Ordinal)..]);
        var request = new OpenIddictRequest(query);
        var client = string.IsNullOrEmpty(request.ClientId) ? null : await clients.FindAsync(request.ClientId, HttpContext.RequestAborted);
        return client is null || client.TenantId != Tenant.Id ? (user, null) : (user, request);
    }
}
