using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Tessera.Server.Hosting;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Discovery;

namespace Tessera.Server.MutualTls;

/// <summary>
/// Discovery for RFC 8705: with mutual TLS configured, <c>mtls_endpoint_aliases</c> (§5) name the endpoints on the port
/// that asks for certificates, and the mutual TLS method and bound tokens are advertised; without it, neither is.
/// </summary>
public sealed class AdvertiseMutualTls(IOptions<TesseraOptions> options, IHttpContextAccessor accessor) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<AdvertiseMutualTls>()
            .SetOrder(AttachClientAuthenticationMethods.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mtls = options.Value.Mtls;
        if (!mtls.Enabled)
        {
            foreach (var methods in new[] { context.TokenEndpointAuthenticationMethods, context.IntrospectionEndpointAuthenticationMethods,
                         context.RevocationEndpointAuthenticationMethods, context.DeviceAuthorizationEndpointAuthenticationMethods })
            {
                methods.Remove(ClientAuthenticationMethods.SelfSignedTlsClientAuth);
            }

            context.TlsClientCertificateBoundAccessTokens = false;
            return ValueTask.CompletedTask;
        }

        if (AliasOrigin(mtls) is { } origin)
        {
            context.MtlsTokenEndpointAlias = Alias(context.TokenEndpoint, origin);
            context.MtlsIntrospectionEndpointAlias = Alias(context.IntrospectionEndpoint, origin);
            context.MtlsRevocationEndpointAlias = Alias(context.RevocationEndpoint, origin);
            context.MtlsDeviceAuthorizationEndpointAlias = Alias(context.DeviceAuthorizationEndpoint, origin);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The configured origin of the port, else this request's host name on it; none for a proxy on the same host name.</summary>
    private Uri? AliasOrigin(MtlsOptions mtls)
    {
        if (!string.IsNullOrWhiteSpace(mtls.PublicOrigin))
        {
            return new Uri(mtls.PublicOrigin, UriKind.Absolute);
        }

        return mtls.Port is { } port && accessor.HttpContext?.Request.Host.Host is { Length: > 0 } host
            ? new UriBuilder(Uri.UriSchemeHttps, host, port).Uri
            : null;
    }

    private static Uri? Alias(Uri? endpoint, Uri origin)
        => endpoint is null ? null : new UriBuilder(endpoint) { Scheme = origin.Scheme, Host = origin.Host, Port = origin.Port }.Uri;
}
