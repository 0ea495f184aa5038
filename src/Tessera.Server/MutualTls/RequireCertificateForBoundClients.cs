using OpenIddict.Server;
using Tessera.Policy.Workloads;
using Tessera.Server.Clients;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace Tessera.Server.MutualTls;

/// <summary>
/// An application registered with <c>tlsClientCertificateBoundAccessTokens</c> gets tokens only over mutual TLS with one
/// of its certificates (checked by OpenIddict just before): a secret or a client assertion alone is refused, so every
/// access token it holds is bound, and a refresh needs a certificate again.
/// </summary>
public sealed class RequireCertificateForBoundClients(ClientDirectory clients) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<RequireCertificateForBoundClients>()
            .SetOrder(ValidateClientCertificate.Descriptor.Order + 250)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType is not (OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.DeviceAuthorization) ||
            string.IsNullOrEmpty(context.ClientId) || context.Transaction.RemoteCertificate is not null)
        {
            return;
        }

        if (await clients.FindAsync(context.ClientId, context.CancellationToken) is { CertificateBoundTokens: true })
        {
            context.Reject(WorkloadErrors.CertificateRequired.OAuthError, WorkloadErrors.CertificateRequired.Description);
        }
    }
}
