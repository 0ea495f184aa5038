using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>
/// JWT access tokens are self-contained: writing a database row for each one would make the token endpoint
/// as slow as the database and grow a table nobody reads. Codes and refresh tokens keep their rows, which
/// carry redemption and the refresh-token family used for reuse detection.
/// </summary>
public sealed class SkipAccessTokenStorage : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<SkipAccessTokenStorage>()
            .SetOrder(CreateTokenEntry.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.Equals(context.TokenType, TokenTypeIdentifiers.AccessToken, StringComparison.Ordinal) && !context.IsReferenceToken)
        {
            context.CreateTokenEntry = false;
        }

        return ValueTask.CompletedTask;
    }
}
