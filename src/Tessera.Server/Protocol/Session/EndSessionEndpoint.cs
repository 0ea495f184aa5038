using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Server.AspNetCore;
using Tessera.Directory.Sessions;
using Tessera.Server.Sessions;

namespace Tessera.Server.Protocol.Session;

/// <summary>
/// RP-initiated logout: ends the SSO session, then OpenIddict returns to the validated post-logout URI.
/// A request that carries a valid <c>id_token_hint</c> comes from an application the user signed in to; any other
/// (a bare link another site could embed) must be confirmed by the user on a form of ours first
/// (OpenID Connect RP-Initiated Logout §2, §6).
/// </summary>
public static class EndSessionEndpoint
{
    public const string Path = "/oauth2/v2.0/logout";

    public static IEndpointRouteBuilder MapEndSessionEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], (Delegate)HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, IAntiforgery antiforgery)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not run for this request.");
        var hinted = !string.IsNullOrEmpty(request.IdTokenHint) &&
                     (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal is not null;
        var confirmed = HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType &&
                        http.Request.Form.ContainsKey("confirm") && await antiforgery.IsRequestValidAsync(http);
        if (!hinted && !confirmed)
        {
            return Confirmation(http, request, antiforgery);
        }

        // The server-side session ends with the cookie (and the refresh tokens issued in it, at their next use).
        if (await SignInSessionStore.OfRequestAsync(http) is { } current)
        {
            await http.RequestServices.GetRequiredService<SignInSessionStore>().EndAsync(current.SessionId, current.UserId, SessionEndReasons.SignedOut, http.RequestAborted);
        }

        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = $"{http.Request.PathBase}/account/signedout" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static IResult Confirmation(HttpContext http, OpenIddict.Abstractions.OpenIddictRequest request, IAntiforgery antiforgery)
    {
        var html = HtmlEncoder.Default;
        var tokens = antiforgery.GetAndStoreTokens(http);
        var fields = string.Concat(request.GetParameters()
            .Where(p => p.Key is not ("confirm" or "__RequestVerificationToken"))
            .Select(p => $"""<input type="hidden" name="{html.Encode(p.Key)}" value="{html.Encode((string?)p.Value ?? string.Empty)}" />"""));
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Sign out · Tessera</title><link rel="stylesheet" href="{html.Encode(http.Request.PathBase + "/css/site.css")}" /></head>
            <body><main class="card">
            <p class="brand">Tessera</p>
            <h1>Sign out?</h1>
            <p>You will be signed out of every application that uses this sign-in.</p>
            <form method="post" action="{html.Encode(http.Request.PathBase + Path)}">
            {fields}
            <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? string.Empty)}" />
            <button type="submit" name="confirm" value="yes" id="confirm">Sign out</button>
            </form>
            </main></body></html>
            """, "text/html; charset=utf-8");
    }
}
