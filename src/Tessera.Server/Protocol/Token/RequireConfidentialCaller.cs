using OpenIddict.Server;
using Tessera.Policy.Errors;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// Only a client that proves who it is may trade a user's token for another (Entra ID: confidential clients only).
/// OpenIddict would let a public client, or nobody at all, through: neither grant names a client of its own.
/// Whether the credential is right is OpenIddict's check, later.
/// </summary>
public sealed class RequireConfidentialCaller : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RequireConfidentialCaller>()
            .SetOrder(ValidateTokenExchangeParameters.Descriptor.Order - 300)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Delegation.GrantOf(context.Request) is not null &&
            string.IsNullOrEmpty(context.Request.ClientSecret) && string.IsNullOrEmpty(context.Request.ClientAssertion))
        {
            var error = TesseraErrors.DelegationNeedsConfidentialClient;
            context.Reject(error.OAuthError, error.Description);
        }

        return ValueTask.CompletedTask;
    }
}
