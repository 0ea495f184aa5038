using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Tessera.Directory.Users;
using Tessera.Server.Protocol.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Protocol.Session;

/// <summary>The OpenID Connect userinfo endpoint: the signed-in user's claims, as the token's scopes allow.</summary>
public static class UserInfoEndpoint
{
    public const string Path = "/oidc/userinfo";

    public static IEndpointRouteBuilder MapUserInfoEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, UserManager<DirectoryUser> users)
    {
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var user = result.Principal is { } principal ? await users.FindByIdAsync(principal.GetClaim(Claims.Subject) ?? string.Empty) : null;
        if (user is null || !user.AccountEnabled)
        {
            return Results.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The access token does not belong to an active user. Sign in again.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.Subject] = user.Id.ToString("D"),
            [TesseraClaims.ObjectId] = user.Id.ToString("D"),
            [TesseraClaims.TenantId] = user.TenantId.ToString("D"),
        };

        var granted = result.Principal!;
        if (granted.HasScope(Scopes.Profile))
        {
            claims[TesseraClaims.Name] = user.DisplayName ?? user.UserName ?? string.Empty;
            claims[TesseraClaims.PreferredUsername] = user.UserName ?? string.Empty;
        }

        if (granted.HasScope(Scopes.Email) && user.Email is not null)
        {
            claims[TesseraClaims.Email] = user.Email;
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        return Results.Ok(claims);
    }
}
