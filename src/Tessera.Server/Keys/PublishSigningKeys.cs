using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Discovery;

namespace Tessera.Server.Keys;

/// <summary>The JWKS document lists the key ring's published keys: the next key before it signs, old keys until their tokens expire.</summary>
public sealed class PublishSigningKeys(SigningKeyRing ring) : IOpenIddictServerHandler<HandleJsonWebKeySetRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleJsonWebKeySetRequestContext>()
            .UseSingletonHandler<PublishSigningKeys>()
            .SetOrder(AttachSigningKeys.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleJsonWebKeySetRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Keys.Clear();
        context.Keys.AddRange(ring.PublishedJsonWebKeys);
        return ValueTask.CompletedTask;
    }
}
