using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Samples;

/// <summary>
/// How the samples trust a Tessera that runs on this machine with the self-signed loopback certificate that
/// <c>samples/tessera</c> makes: the HTTP clients that talk to Tessera accept that one certificate, compared byte for byte,
/// besides everything the machine already trusts. Against a server with a certificate the machine trusts, the setting
/// (<c>TesseraCertificate</c>) stays empty and the handler is an ordinary one.
/// </summary>
internal static class LocalTesseraCertificate
{
    /// <summary>The name of the setting that holds the path of the certificate (PEM or DER) to trust.</summary>
    public const string Setting = "TesseraCertificate";

    public static HttpMessageHandler CreateHandler(string? certificatePath)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (string.IsNullOrEmpty(certificatePath))
        {
            return handler;
        }

        var trusted = X509CertificateLoader.LoadCertificateFromFile(certificatePath).RawData;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors)
            => errors == SslPolicyErrors.None || (certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(trusted));
        return handler;
    }
}
