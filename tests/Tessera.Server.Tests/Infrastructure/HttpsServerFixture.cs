using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A real Tessera server on HTTPS, on a free loopback port, with a self-signed certificate for 127.0.0.1 and localhost
/// that only these tests trust: for clients that refuse plain HTTP (MSAL.NET, Microsoft.Identity.Web, openid-client).
/// </summary>
public class HttpsServerFixture : TesseraServerFixture
{
    private const string PfxPassword = "tessera-tests";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tessera-tests", "tls-" + Guid.NewGuid().ToString("N"));

    public HttpsServerFixture()
    {
        Certificate = CreateLoopbackCertificate();
        System.IO.Directory.CreateDirectory(_folder);
        File.WriteAllBytes(PfxPath, Certificate.Export(X509ContentType.Pfx, PfxPassword));
        File.WriteAllText(CertificatePemPath, Certificate.ExportCertificatePem());
    }

    /// <summary>The server's certificate (public part and key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate alone, PEM: for Node.js (<c>NODE_EXTRA_CA_CERTS</c>) and other non-.NET clients.</summary>
    public string CertificatePemPath => Path.Combine(_folder, "server.pem");

    private string PfxPath => Path.Combine(_folder, "server.pfx");

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--urls=https://127.0.0.1:0",
        $"--Kestrel:Certificates:Default:Path={PfxPath}",
        $"--Kestrel:Certificates:Default:Password={PfxPassword}",
    ];

    /// <summary>Trusts this server's certificate, and nothing else that is not trusted already.</summary>
    public override HttpClientHandler CreateHandler()
    {
        var handler = base.CreateHandler();
        handler.ServerCertificateCustomValidationCallback = TrustsThisServer;
        return handler;
    }

    /// <summary>The same check, for clients that take a callback of their own.</summary>
    public bool TrustsThisServer(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors)
        => errors == System.Net.Security.SslPolicyErrors.None ||
           (certificate is not null && certificate.Thumbprint == Certificate.Thumbprint);

    private static X509Certificate2 CreateLoopbackCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Tessera test server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
