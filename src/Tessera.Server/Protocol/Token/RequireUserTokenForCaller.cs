using OpenIddict.Abstractions;
using OpenIddict.Server;
using Tessera.Policy.Delegation;
using Tessera.Server.Protocol.Tokens;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// The user's token must have been issued to the API that presents it, and must stand for a user
/// (<see cref="DelegationRules.CheckUserToken"/>). Stricter than OpenIddict's own check for token exchange, which would
/// also let the client the token was issued by (its presenter, <c>azp</c>) exchange it; ordered before it.
/// </summary>
public sealed class RequireUserTokenForCaller : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RequireUserTokenForCaller>()
            .SetOrder(ValidateAuthorizedParty.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Delegation.GrantOf(context.Request) is { } grant && context.SubjectTokenPrincipal is { } principal)
        {
            var error = DelegationRules.CheckUserToken(
                grant, principal.GetAudiences(), principal.GetClaim(TesseraClaims.IdentityType), context.ClientId ?? string.Empty);
            if (error is not null)
            {
                context.Reject(error.OAuthError, error.Description);
            }
        }

        return ValueTask.CompletedTask;
    }
}
