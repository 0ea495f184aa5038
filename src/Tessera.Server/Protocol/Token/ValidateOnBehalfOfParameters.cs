using OpenIddict.Server;
using Tessera.Policy.Delegation;
using Tessera.Policy.Errors;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// The <c>jwt-bearer</c> grant exists here for on-behalf-of only, as MSAL's <c>AcquireTokenOnBehalfOf</c> sends it:
/// <c>requested_token_use=on_behalf_of</c>, the user's token in <c>assertion</c>, the downstream API in <c>scope</c>.
/// RFC 7523 authorization grants (a JWT the client signs for itself) are refused, since they name no user Tessera signed in.
/// </summary>
public sealed class ValidateOnBehalfOfParameters : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<ValidateOnBehalfOfParameters>()
            .SetOrder(ValidateTokenExchangeParameters.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Delegation.GrantOf(context.Request) != DelegationGrant.OnBehalfOf)
        {
            return ValueTask.CompletedTask;
        }

        var error = (string?)context.Request.GetParameter(Delegation.RequestedTokenUseParameter) != Delegation.OnBehalfOfTokenUse
            ? TesseraErrors.OnBehalfOfOnly
            : string.IsNullOrEmpty(context.Request.Assertion) ? TesseraErrors.UserTokenMissing.With(DelegationRules.ParameterOf(DelegationGrant.OnBehalfOf))
            : string.IsNullOrEmpty(context.Request.Scope) ? TesseraErrors.DownstreamApiMissing
            : null;
        if (error is not null)
        {
            context.Reject(error.OAuthError, error.Description);
        }

        return ValueTask.CompletedTask;
    }
}
