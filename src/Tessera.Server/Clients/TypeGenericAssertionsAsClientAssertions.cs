using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace Tessera.Server.Clients;

/// <summary>
/// Second half of <see cref="AcceptStandardClientAssertions"/>: OpenIddict reads a <c>JWT</c>-typed token as an
/// ID token. When only a client assertion is expected (the <c>client_assertion</c> parameter), it is one.
/// </summary>
public sealed class TypeGenericAssertionsAsClientAssertions : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<TypeGenericAssertionsAsClientAssertions>()
            .SetOrder(ValidateIdentityModelToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal is { } principal && context.ValidTokenTypes.Count == 1 &&
            context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            principal.SetTokenType(TokenTypeIdentifiers.Private.ClientAssertion);
        }

        return ValueTask.CompletedTask;
    }
}
