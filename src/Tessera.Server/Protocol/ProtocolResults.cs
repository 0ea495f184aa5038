using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;
using Tessera.Policy.Errors;

namespace Tessera.Server.Protocol;

/// <summary>Results that hand an error back to OpenIddict, which answers in the form the endpoint calls for.</summary>
public static class ProtocolResults
{
    public static IResult Reject(TesseraError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error.OAuthError,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = error.Description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
