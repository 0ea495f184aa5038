using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// The Microsoft identity platform's token endpoint takes <c>grant_type=device_code</c> as well as RFC 8628's
/// <c>urn:ietf:params:oauth:grant-type:device_code</c>, and MSAL.NET sends the short form when it polls. It is read as
/// the long one, before anything looks at the grant type.
/// </summary>
public sealed class AcceptShortDeviceCodeGrantType : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    private const string ShortForm = "device_code";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<AcceptShortDeviceCodeGrantType>()
            .SetOrder(ValidateGrantType.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.Equals(context.Request.GrantType, ShortForm, StringComparison.Ordinal))
        {
            context.Request.GrantType = GrantTypes.DeviceCode;
        }

        return ValueTask.CompletedTask;
    }
}
