namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The HTTPS server with mutual TLS on a second loopback port (<c>Tessera:Mtls:Port</c>): the first port never asks for a
/// client certificate, the second asks in the handshake. The public origin is the first port's, as configuration requires.
/// </summary>
public sealed class MtlsServerFixture : HttpsServerFixture
{
    private readonly int _port = ResourceServer.ProtectedApi.FreePort();

    public int MtlsPort { get; } = ResourceServer.ProtectedApi.FreePort();

    /// <summary>The token endpoint on the mutual TLS port (RFC 8705 §5's alias).</summary>
    public string MtlsTokenEndpoint => $"https://127.0.0.1:{MtlsPort}/{TenantId:D}/oauth2/v2.0/token";

    protected override IEnumerable<string> ExtraArguments =>
    [
        .. base.ExtraArguments,
        $"--urls=https://127.0.0.1:{_port};https://127.0.0.1:{MtlsPort}",
        $"--Tessera:PublicOrigin=https://127.0.0.1:{_port}",
        $"--Tessera:Mtls:Port={MtlsPort}",
    ];

    /// <summary>A client trusting this server that shows <paramref name="certificate"/> when the handshake asks for one.</summary>
    public HttpClient CreateHttpClient(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        var handler = CreateHandler();
        if (certificate is not null)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(certificate);
        }

        return new HttpClient(handler);
    }
}
