using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>
/// The token response's <c>scope</c> lists everything granted, API scopes included (RFC 6749 §5.1; MSAL caches tokens
/// by it). OpenIddict would take it from the access token, whose <c>scope</c> claim Tessera trims to the OpenID scopes.
/// </summary>
public sealed class ReportGrantedScopes : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<ReportGrantedScopes>()
            .SetOrder(AttachSignInParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.IsNullOrEmpty(context.Response.AccessToken) && context.Principal is { } principal)
        {
            var scopes = principal.GetScopes();
            if (scopes.Length > 0)
            {
                context.Response.Scope = string.Join(' ', scopes);
            }
        }

        return ValueTask.CompletedTask;
    }
}
