using OpenIddict.Server;
using Tessera.Policy.Errors;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Authentication;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>
/// The implicit and hybrid flows do not exist here: any response type that would put a token in the front channel
/// is refused with a sentence saying what to use instead (OpenIddict would refuse it too, but without the why).
/// </summary>
public sealed class RejectImplicitFlow : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<RejectImplicitFlow>()
            .SetOrder(ValidateResponseTypeParameter.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var responseType = context.Request.ResponseType;
        if (!string.IsNullOrEmpty(responseType) && !string.Equals(responseType, "code", StringComparison.Ordinal))
        {
            var error = TesseraErrors.ImplicitFlowUnsupported;
            context.Reject(error.OAuthError, error.Description);
        }

        return ValueTask.CompletedTask;
    }
}
