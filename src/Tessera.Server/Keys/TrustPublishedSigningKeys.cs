using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace Tessera.Server.Keys;

/// <summary>Tokens that come back to the server (ID token hints, access tokens at userinfo) are checked against every published key.</summary>
public sealed class TrustPublishedSigningKeys(SigningKeyRing ring) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<TrustPublishedSigningKeys>()
            .SetOrder(ResolveTokenValidationParameters.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Client assertions are signed by the client's keys, not the server's.
        if (context.TokenValidationParameters is { } parameters && !context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            var symmetric = parameters.IssuerSigningKeys?.Where(k => k is not Microsoft.IdentityModel.Tokens.AsymmetricSecurityKey) ?? [];
            parameters.IssuerSigningKeys = [.. ring.Published, .. symmetric];
        }

        return ValueTask.CompletedTask;
    }
}
