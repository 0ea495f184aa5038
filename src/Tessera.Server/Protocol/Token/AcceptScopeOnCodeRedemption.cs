using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// The Microsoft identity platform's v2.0 token endpoint requires <c>scope</c> when a code is redeemed, so MSAL.NET
/// (and every client written for it) always sends one, with device codes too. RFC 6749 has no such parameter and
/// OpenIddict refuses it. It is accepted here and set aside: the token carries what was granted at the authorization
/// step (consent, per API), never more, and the response's <c>scope</c> says what that is.
/// </summary>
public sealed class AcceptScopeOnCodeRedemption : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<AcceptScopeOnCodeRedemption>()
            .SetOrder(ValidateScopeParameter.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.IsNullOrEmpty(context.Request.Scope) &&
            (context.Request.IsAuthorizationCodeGrantType() || context.Request.IsDeviceCodeGrantType()))
        {
            context.Request.Scope = null;
        }

        return ValueTask.CompletedTask;
    }
}
