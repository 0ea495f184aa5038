using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace Tessera.Server.Clients;

/// <summary>
/// OpenIddict 7 follows draft RFC 7523bis strictly: client assertions must be typed <c>client-authentication+jwt</c>
/// and addressed to the issuer. RFC 7523 and OpenID Connect Core §9 ask for neither: the clients people use
/// (MSAL.NET among them) send <c>JWT</c> or no type, addressed to the token endpoint. Both forms are accepted;
/// the issuer, subject, lifetime, signature and single audience are still checked in full.
/// </summary>
public sealed class AcceptStandardClientAssertions : IOpenIddictServerHandler<ValidateTokenContext>
{
    private static readonly HashSet<string> AcceptedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "client-authentication+jwt", "application/client-authentication+jwt", "JWT", "application/jwt",
    };

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AcceptStandardClientAssertions>()
            .SetOrder(ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TokenValidationParameters is { } parameters && context.ValidTokenTypes.Count == 1 &&
            context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            parameters.ValidTypes = null;
            parameters.TypeValidator = static (type, _, _) => string.IsNullOrEmpty(type) || AcceptedTypes.Contains(type)
                ? type ?? string.Empty
                : throw new SecurityTokenInvalidTypeException($"The client assertion type '{type}' is not accepted.") { InvalidType = type };

            if (context.BaseUri is { } transactionBase)
            {
                // The base URI ends with the tenant segment; without a final slash, relative resolution would drop it.
                var baseUri = transactionBase.AbsoluteUri.EndsWith('/') ? transactionBase : new Uri(transactionBase.AbsoluteUri + "/");
                var tokenEndpoints = context.Options.TokenEndpointUris
                    .Select(endpoint => (endpoint.IsAbsoluteUri ? endpoint : new Uri(baseUri, endpoint)).AbsoluteUri)
                    .ToList();
                parameters.ValidAudiences = [.. parameters.ValidAudiences ?? [], .. tokenEndpoints];
                context.ValidAudiences.UnionWith(tokenEndpoints);
            }
        }

        return ValueTask.CompletedTask;
    }
}
