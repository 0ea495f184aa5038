using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Server.AspNetCore;

namespace Tessera.Server.Protocol.Session;

/// <summary>RP-initiated logout: ends the SSO session, then OpenIddict returns to the validated post-logout URI.</summary>
public static class EndSessionEndpoint
{
    public const string Path = "/oauth2/v2.0/logout";

    public static IEndpointRouteBuilder MapEndSessionEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], (Delegate)HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http)
    {
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = $"{http.Request.PathBase}/account/signedout" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
