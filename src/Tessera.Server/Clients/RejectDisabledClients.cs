using OpenIddict.Server;
using Tessera.Policy.ServicePrincipals;
using Tessera.Server.Tenancy;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace Tessera.Server.Clients;

/// <summary>
/// A client whose service principal is disabled gets no code and no token, whatever the grant: refused at the
/// authorization, device authorization and token endpoints once it has authenticated (so a wrong secret still reads
/// as a wrong secret). At the authorization endpoint the user is shown the error instead of being sent back to a
/// client that may not be used (RFC 6749 §4.1.2.1). Revocation and introspection stay open: a disabled application may
/// still give up its tokens, and an API may still learn that tokens it holds are no longer good.
/// </summary>
public sealed class RejectDisabledClients(ClientDirectory clients, IHttpContextAccessor accessor) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<RejectDisabledClients>()
            .SetOrder(ValidateClientCertificate.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var step = context.EndpointType switch
        {
            OpenIddictServerEndpointType.Authorization or OpenIddictServerEndpointType.PushedAuthorization => ProtocolStep.Authorization,
            OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.DeviceAuthorization => ProtocolStep.Token,
            _ => (ProtocolStep?)null,
        };
        if (step is null || string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        // An unknown client or one of another tenant is EnsureClientInTenant's to refuse.
        if (accessor.HttpContext?.GetTenant() is { } tenant &&
            await clients.FindInAsync(context.ClientId, tenant.Id, context.CancellationToken) is { } client &&
            ServicePrincipalAccess.AsClient(client.ServicePrincipal, step.Value) is { } error)
        {
            context.Reject(error.OAuthError, error.Description);
        }
    }
}
