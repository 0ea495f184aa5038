using OpenIddict.Abstractions;
using OpenIddict.Server;
using Tessera.Policy.Delegation;
using Tessera.Policy.Errors;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// Validates the user's token of an on-behalf-of (<c>assertion</c>) or token exchange (<c>subject_token</c>) request
/// with OpenIddict's own token validation, as its <c>ValidateSubjectToken</c> does: signature by this server's keys,
/// this tenant's issuer, <c>typ: at+jwt</c> (so ID tokens and refresh tokens fail), lifetime. Then the sign-in the token
/// comes from, which OpenIddict checks only for tokens it stored: its authorization must still be valid. An access token
/// lives out its lifetime at the APIs, but once the user's sessions are revoked or the consent withdrawn it is no longer
/// traded for new tokens. Done here for both grants, so that on-behalf-of, which OpenIddict does not know, is validated
/// alike, and both refuse with Tessera's numbered reasons. Who may present the token is
/// <see cref="RequireUserTokenForCaller"/>'s check; the result is the request's subject token principal.
/// </summary>
public sealed class ValidateUserToken(IOpenIddictServerDispatcher dispatcher, IOpenIddictAuthorizationManager authorizations)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<ValidateUserToken>()
            .SetOrder(ValidateSubjectToken.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType != OpenIddictServerEndpointType.Token || Delegation.GrantOf(context.Request) is not { } grant ||
            Delegation.UserTokenOf(context.Request!, grant) is not { Length: > 0 } token)
        {
            return;
        }

        var validation = new ValidateTokenContext(context.Transaction)
        {
            Token = token,

            // The token was issued to the API presenting it, not by it: RequireUserTokenForCaller checks aud = caller.
            DisableAudienceValidation = true,
            DisablePresenterValidation = true,
        };
        validation.ValidTokenTypes.Add(TokenTypeIdentifiers.AccessToken);
        await dispatcher.DispatchAsync(validation);

        if (validation.IsRequestHandled)
        {
            context.HandleRequest();
            return;
        }

        if (validation.IsRequestSkipped)
        {
            context.SkipRequest();
            return;
        }

        if (validation.IsRejected)
        {
            var error = Refusal(validation, grant, context.Options.TimeProvider.GetUtcNow());
            context.Reject(error.OAuthError, error.Description);
            return;
        }

        if (await SignInEndedAsync(validation.Principal!, context.CancellationToken))
        {
            var error = TesseraErrors.UserTokenSessionEnded.With(DelegationRules.ParameterOf(grant));
            context.Reject(error.OAuthError, error.Description);
            return;
        }

        context.SubjectTokenPrincipal = validation.Principal;

        // Validated above: OpenIddict's own validation of a token exchange's subject token would only repeat it.
        context.ValidateSubjectToken = false;
    }

    /// <summary>A user token names the authorization (OpenIddict's record of the sign-in) it rests on, if it has one.</summary>
    private async Task<bool> SignInEndedAsync(System.Security.Claims.ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (principal.GetAuthorizationId() is not { Length: > 0 } authorizationId)
        {
            return false;
        }

        var authorization = await authorizations.FindByIdAsync(authorizationId, cancellationToken);
        return authorization is null || !await authorizations.HasStatusAsync(authorization, Statuses.Valid, cancellationToken);
    }

    /// <summary>
    /// An expired token was read in full (its principal is there) and failed its lifetime; every other failure is a
    /// token that is not this tenant's access token.
    /// </summary>
    private static TesseraError Refusal(ValidateTokenContext validation, DelegationGrant grant, DateTimeOffset now)
    {
        var parameter = DelegationRules.ParameterOf(grant);
        return validation.Principal?.GetExpirationDate() <= now
            ? TesseraErrors.UserTokenExpired.With(parameter)
            : TesseraErrors.UserTokenInvalid.With(parameter);
    }
}
