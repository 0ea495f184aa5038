using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;
using Tessera.Policy.Errors;

namespace Tessera.Server.Protocol;

/// <summary>Results that hand an error back to OpenIddict, which answers in the form the endpoint calls for.</summary>
public static class ProtocolResults
{
    /// <summary>Entra ID's response member for <see cref="TesseraError.SubError"/>.</summary>
    public const string SubErrorParameter = "suberror";

    /// <summary>Entra ID's response member naming the claims the client must ask for when it sends the user to sign in again.</summary>
    public const string ClaimsParameter = "claims";

    public static IResult Reject(TesseraError error) => Reject(error, claims: null);

    /// <summary>A refusal that also tells the client which <paramref name="claims"/> request to make interactively.</summary>
    public static IResult Reject(TesseraError error, string? claims)
    {
        ArgumentNullException.ThrowIfNull(error);
        var properties = new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error.OAuthError,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = error.Description,
        });
        if (error.SubError is { } subError)
        {
            // Parameters (unlike items) are written into the error response as they are.
            properties.Parameters[SubErrorParameter] = subError;
        }

        if (claims is not null)
        {
            properties.Parameters[ClaimsParameter] = claims;
        }

        return Results.Forbid(properties, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
