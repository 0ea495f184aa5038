using OpenIddict.Server;
using Tessera.Policy.Authentication;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Discovery;

namespace Tessera.Server.Protocol.Discovery;

/// <summary>
/// Adds <c>acr_values_supported</c> to discovery: the authentication strengths a client may ask for with
/// <c>acr_values</c> and find again in the tokens' <c>acr</c> claim.
/// </summary>
public sealed class AdvertiseAuthenticationStrengths : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<AdvertiseAuthenticationStrengths>()
            .SetOrder(AttachAdditionalMetadata.Descriptor.Order + 1_100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Metadata[OpenIddict.Abstractions.OpenIddictConstants.Metadata.AcrValuesSupported] = new OpenIddict.Abstractions.OpenIddictParameter([.. AuthenticationStrengths.SupportedAcrValues]);
        return ValueTask.CompletedTask;
    }
}
