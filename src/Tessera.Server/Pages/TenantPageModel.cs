using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Directory.Users;
using Tessera.Server.Tenancy;

namespace Tessera.Server.Pages;

/// <summary>A page that lives under <c>/{tenant}/</c>; without a tenant it does not exist.</summary>
public abstract class TenantPageModel : PageModel
{
    public TenantInfo Tenant { get; private set; } = null!;

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HttpContext.GetTenant() is not { } tenant)
        {
            context.Result = NotFound();
            return;
        }

        Tenant = tenant;
    }

    /// <summary>A 303 See Other: after a POST the browser follows with a GET, never a re-POST.</summary>
    protected IActionResult SeeOther(string location)
    {
        Response.Headers.Location = location;
        return StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>The user of the browser's sign-in session: enabled, and of this tenant; else null.</summary>
    protected async Task<DirectoryUser?> SignedInUserAsync(UserManager<DirectoryUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal!) : null;
        return user is { AccountEnabled: true } && user.TenantId == Tenant.Id ? user : null;
    }

    /// <summary>To this tenant's sign-in page, coming back to <paramref name="returnUrl"/> (this request's URL by default).</summary>
    protected RedirectResult RedirectToSignIn(string? returnUrl = null)
        => Redirect(QueryHelpers.AddQueryString(
            $"{Request.PathBase}/account/signin", "returnUrl", returnUrl ?? Request.PathBase + Request.Path + Request.QueryString));

    /// <summary>The return URL if it points back into this tenant, else this tenant's signed-in page.</summary>
    protected string SafeReturnUrl(string? returnUrl)
        => !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) &&
           returnUrl.StartsWith(Request.PathBase.Value + "/", StringComparison.Ordinal)
            ? returnUrl
            : $"{Request.PathBase}/account/signedin";
}
