using OpenIddict.Server;
using Tessera.Policy.Errors;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Authentication;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>PKCE is required of every client, public or confidential, and only with S256 (RFC 9700 §2.1.1).</summary>
public sealed class RequireS256CodeChallenge : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<RequireS256CodeChallenge>()
            .SetOrder(ValidateProofKeyForCodeExchangeParameters.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(context.Request.CodeChallenge))
        {
            var error = TesseraErrors.PkceRequired;
            context.Reject(error.OAuthError, error.Description);
        }
        else if (!string.Equals(context.Request.CodeChallengeMethod, "S256", StringComparison.Ordinal))
        {
            var error = TesseraErrors.PkcePlainUnsupported;
            context.Reject(error.OAuthError, error.Description);
        }

        return ValueTask.CompletedTask;
    }
}
