using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using OpenIddict.Server;
using Tessera.Policy.Errors;
using Tessera.Policy.Workloads;
using Tessera.Server.Failures;
using Tessera.Server.Hosting;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.MutualTls;

/// <summary>
/// Mutual TLS client authentication (<c>self_signed_tls_client_auth</c>: the application's registered certificates are
/// the trusted ones) and certificate-bound tokens (RFC 8705), with OpenIddict doing the protocol part.
/// </summary>
/// <remarks>
/// Only <see cref="MtlsOptions.Port"/> asks for a certificate, during the handshake (Kestrel's <c>AllowCertificate</c>
/// there, not asking anywhere else): this works for HTTP/1.1 and HTTP/2 alike, where a renegotiation for a certificate
/// (delayed negotiation) would not work with HTTP/2, and a browser on the sign-in pages is never asked to choose one.
/// Kestrel accepts any certificate on that port; whether it belongs to the client is OpenIddict's check against the
/// application's <c>keyCredentials</c>.
/// </remarks>
public static class MutualTlsSetup
{
    public static WebApplicationBuilder AddTesseraMutualTls(this WebApplicationBuilder builder, TesseraOptions tessera)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tessera);
        var options = tessera.Mtls;
        if (options.Port is { } port)
        {
            // A token issued on this port must name the same issuer as any other, which the port's own origin is not.
            if (string.IsNullOrWhiteSpace(tessera.PublicOrigin))
            {
                throw new TesseraConfigurationException(WorkloadErrors.MtlsPublicOriginMissing.With(port));
            }

            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = static (_, _, _) => true;
                https.OnAuthenticate = (connection, ssl) =>
                    ssl.ClientCertificateRequired = connection.LocalEndPoint is IPEndPoint local && local.Port == port;
            }));
        }

        var forwarded = options.ForwardedCertificate;
        if (forwarded.Configured)
        {
            if (string.IsNullOrWhiteSpace(forwarded.Header) || forwarded.KnownProxies.Count == 0 ||
                forwarded.KnownProxies.Any(p => !IPAddress.TryParse(p, out _)))
            {
                throw new TesseraConfigurationException(WorkloadErrors.MtlsProxyInvalid.With(
                    forwarded.Header + " from " + string.Join(", ", forwarded.KnownProxies)));
            }

            builder.Services.AddCertificateForwarding(o => o.CertificateHeader = forwarded.Header!);
        }

        builder.Services.AddOptions<OpenIddictServerOptions>().Configure(server =>
        {
            server.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.SelfSignedTlsClientAuth);
        });
        return builder;
    }

    /// <summary>OpenIddict's half: self-signed client certificates, and access tokens (refresh tokens of public clients) bound to them.</summary>
    public static OpenIddictServerBuilder UseTesseraMutualTls(this OpenIddictServerBuilder server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.EnableSelfSignedTlsClientAuthentication()
            .UseClientCertificateBoundAccessTokens()
            .UseClientCertificateBoundRefreshTokens();
    }

    /// <summary>
    /// Keeps the mutual TLS port to the endpoints that take client certificates (a browser sent there would be asked for
    /// one), and reads a proxy's forwarded certificate, from the configured proxies only.
    /// </summary>
    public static WebApplication UseTesseraMutualTls(this WebApplication app, MtlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is { } port)
        {
            app.Use((context, next) => context.Connection.LocalPort != port || IsAliased(context.Request.Path)
                ? next(context)
                : ErrorResponses.WriteAsync(context, StatusCodes.Status404NotFound, WorkloadErrors.MtlsPortEndpointsOnly));
        }

        var forwarded = options.ForwardedCertificate;
        if (!forwarded.Configured)
        {
            return app;
        }

        var proxies = forwarded.KnownProxies.Select(IPAddress.Parse).ToHashSet();
        var header = forwarded.Header!;
        app.Use((context, next) =>
        {
            var remote = context.Connection.RemoteIpAddress;
            if (remote is null || !proxies.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
            {
                context.Request.Headers.Remove(header);
            }
            else if (context.Request.Headers.ContainsKey(header))
            {
                // The proxy took the certificate from a TLS handshake with the client: the request came over HTTPS, whatever
                // the hop from the proxy is (OpenIddict reads client certificates of HTTPS requests only).
                context.Request.Scheme = Uri.UriSchemeHttps;
            }

            return next(context);
        });
        app.UseCertificateForwarding();
        return app;
    }

    // The endpoints named in mtls_endpoint_aliases, under any tenant.
    private static readonly string[] AliasedEndpoints = ["/oauth2/v2.0/token", "/oauth2/v2.0/introspect", "/oauth2/v2.0/revoke", "/oauth2/v2.0/devicecode"];

    private static bool IsAliased(PathString path)
        => path.Value is { } value && AliasedEndpoints.Any(endpoint => value.EndsWith(endpoint, StringComparison.OrdinalIgnoreCase));

    /// <summary>Refuses to run with a mutual TLS port the server does not listen on with HTTPS.</summary>
    public static void CheckListening(IServer server, MtlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is not { } port)
        {
            return;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (!addresses.Any(a => Uri.TryCreate(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) &&
                                uri.Scheme == Uri.UriSchemeHttps && uri.Port == port))
        {
            throw new TesseraConfigurationException(WorkloadErrors.MtlsPortNotListening.With(port, string.Join(", ", addresses)));
        }
    }
}
