using OpenIddict.Abstractions;
using OpenIddict.Server;
using Tessera.Policy.Delegation;
using Tessera.Policy.Errors;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// RFC 8693 token exchange as Tessera offers it: the subject is an access token of this tenant, no actor token, an
/// access token back. Runs before OpenIddict's own parameter checks so that each refusal carries its numbered reason.
/// The target named by <c>resource</c> or <c>audience</c> becomes scopes here (<c>{target}/.default</c> when no scope
/// names it), the one form the token endpoint reads; OpenIddict, which knows no API of any tenant, then has none to refuse.
/// </summary>
public sealed class ValidateTokenExchangeRequest : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<ValidateTokenExchangeRequest>()
            .SetOrder(ValidateTokenExchangeParameters.Descriptor.Order - 400)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (Delegation.GrantOf(request) != DelegationGrant.TokenExchange)
        {
            return ValueTask.CompletedTask;
        }

        var error = string.IsNullOrEmpty(request.SubjectToken) ? TesseraErrors.UserTokenMissing.With(DelegationRules.ParameterOf(DelegationGrant.TokenExchange))
            : request.SubjectTokenType != TokenTypeIdentifiers.AccessToken ? TesseraErrors.SubjectTokenTypeUnsupported.With(request.SubjectTokenType ?? "(missing)")
            : !string.IsNullOrEmpty(request.ActorToken) || !string.IsNullOrEmpty(request.ActorTokenType) ? TesseraErrors.ActorTokenUnsupported
            : !string.IsNullOrEmpty(request.RequestedTokenType) && request.RequestedTokenType != TokenTypeIdentifiers.AccessToken
                ? TesseraErrors.RequestedTokenTypeUnsupported.With(request.RequestedTokenType)
            : null;
        if (error is not null)
        {
            context.Reject(error.OAuthError, error.Description);
            return ValueTask.CompletedTask;
        }

        var target = DelegationRules.ResolveExchangeTarget(request.GetScopes(), request.GetResources(), request.Audiences ?? []);
        error = target.Error ?? (target.Scopes is not { Count: > 0 } ? TesseraErrors.DownstreamApiMissing : null);
        if (error is not null)
        {
            context.Reject(error.OAuthError, error.Description);
            return ValueTask.CompletedTask;
        }

        request.Scope = string.Join(' ', target.Scopes!);
        request.Resources = null;
        request.Audiences = null;
        return ValueTask.CompletedTask;
    }
}
