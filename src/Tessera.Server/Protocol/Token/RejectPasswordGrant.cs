using OpenIddict.Server;
using Tessera.Policy.Errors;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>The resource owner password grant does not exist here; the refusal says why and what to use.</summary>
public sealed class RejectPasswordGrant : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RejectPasswordGrant>()
            .SetOrder(ValidateGrantType.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.Equals(context.Request.GrantType, GrantTypes.Password, StringComparison.Ordinal))
        {
            var error = TesseraErrors.PasswordGrantUnsupported;
            context.Reject(error.OAuthError, error.Description);
        }

        return ValueTask.CompletedTask;
    }
}
