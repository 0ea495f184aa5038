using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;
using Tessera.Policy.Errors;

namespace Tessera.Server.Protocol;

/// <summary>Results that hand an error back to OpenIddict, which answers in the form the endpoint calls for.</summary>
public static class ProtocolResults
{
    /// <summary>Entra ID's response member for <see cref="TesseraError.SubError"/>.</summary>
    public const string SubErrorParameter = "suberror";

    public static IResult Reject(TesseraError error)
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

        return Results.Forbid(properties, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
