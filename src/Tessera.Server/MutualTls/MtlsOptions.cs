namespace Tessera.Server.MutualTls;

/// <summary>
/// Mutual TLS (RFC 8705), the <c>Tessera:Mtls</c> section. Off until <see cref="Port"/> or a forwarding proxy is set: the
/// sign-in pages never ask a browser for a certificate, only the port (or proxy) named here does.
/// </summary>
public sealed class MtlsOptions
{
    /// <summary>
    /// An HTTPS port the server listens on (list it in <c>--urls</c> too) where the TLS handshake asks for a client
    /// certificate. Clients find it as <c>mtls_endpoint_aliases</c> in discovery. Every other port never asks.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>
    /// The origin clients reach <see cref="Port"/> at (<c>https://mtls.id.example.com</c>), when it is not the request's host
    /// name with <see cref="Port"/>: behind a proxy that terminates mutual TLS itself, say.
    /// </summary>
    public string? PublicOrigin { get; set; }

    /// <summary>A TLS-terminating proxy that passes the client certificate on in a request header.</summary>
    public ForwardedCertificateOptions ForwardedCertificate { get; set; } = new();

    /// <summary>Whether anything can bring a client certificate to the token endpoint.</summary>
    public bool Enabled => Port is not null || ForwardedCertificate.Configured;
}

/// <summary>
/// The client certificate as a proxy forwards it (the DER certificate, base64, in <see cref="Header"/>): read only from
/// requests that come from one of <see cref="KnownProxies"/>; from anyone else the header is dropped.
/// </summary>
public sealed class ForwardedCertificateOptions
{
    /// <summary>The request header, e.g. <c>X-Client-Cert</c>.</summary>
    public string? Header { get; set; }

    /// <summary>The IP addresses the proxy connects from.</summary>
    public List<string> KnownProxies { get; set; } = [];

    public bool Configured => !string.IsNullOrWhiteSpace(Header) || KnownProxies.Count > 0;
}
