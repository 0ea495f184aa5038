using OpenIddict.Server;
using Tessera.Policy.Scopes;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>
/// Access tokens say what they allow the API in <c>scp</c> (the API's own scope names, as Entra ID does). OpenIddict
/// would also put the full API scope names (<c>api://orders/Orders.Read</c>) in <c>scope</c>, inviting APIs to match on
/// the wrong claim; only the OpenID Connect scopes stay there, for the userinfo endpoint. The access token a token
/// exchange issues (OpenIddict's "issued token") is trimmed alike.
/// </summary>
public sealed class RemoveApiScopesFromScopeClaim : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<RemoveApiScopesFromScopeClaim>()
            .SetOrder(PrepareIssuedTokenPrincipal.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Trim(context.AccessTokenPrincipal);
        if (context.IssuedTokenType == TokenTypeIdentifiers.AccessToken)
        {
            Trim(context.IssuedTokenPrincipal);
        }

        return ValueTask.CompletedTask;
    }

    private static void Trim(System.Security.Claims.ClaimsPrincipal? principal)
    {
        if (principal?.Identity is System.Security.Claims.ClaimsIdentity identity)
        {
            foreach (var claim in identity.FindAll(Claims.Private.Scope).Where(c => !ScopeRequest.OpenIdConnectScopes.Contains(c.Value)).ToList())
            {
                identity.RemoveClaim(claim);
            }
        }
    }
}
