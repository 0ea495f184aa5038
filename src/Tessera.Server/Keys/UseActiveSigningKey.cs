using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace Tessera.Server.Keys;

/// <summary>Signs every token with the key ring's active key rather than the key OpenIddict was started with.</summary>
public sealed class UseActiveSigningKey(SigningKeyRing ring) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<UseActiveSigningKey>()
            .SetOrder(AttachSecurityCredentials.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SigningCredentials?.Key is AsymmetricSecurityKey)
        {
            context.SigningCredentials = ring.Active;
        }

        return ValueTask.CompletedTask;
    }
}
