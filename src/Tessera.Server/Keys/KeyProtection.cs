using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Tessera.Directory.Storage;
using Tessera.Server.Hosting;

namespace Tessera.Server.Keys;

/// <summary>
/// Data Protection with its key ring in the database (so that every node shares it) and every key of the ring
/// encrypted with a certificate kept outside the database. A stolen database alone reveals no signing key.
/// The certificate is <c>keyring-protection.pfx</c> in the data folder (owner-only), made on first start,
/// or the file named by <c>Tessera:KeyProtection:CertificatePath</c> (give every node the same one).
/// </summary>
public static class KeyProtection
{
    public const string CertificateFile = "keyring-protection.pfx";

    public static IServiceCollection AddTesseraKeyProtection(this IServiceCollection services, IConfiguration configuration, DataFolder data)
    {
        var certificate = LoadOrCreateCertificate(configuration, data);
        services.AddDataProtection()
            .SetApplicationName("Tessera")
            .PersistKeysToDbContext<TesseraDbContext>()
            .ProtectKeysWithCertificate(certificate)
            .UnprotectKeysWithAnyCertificate(certificate);
        return services;
    }

    private static X509Certificate2 LoadOrCreateCertificate(IConfiguration configuration, DataFolder data)
    {
        var configured = configuration["Tessera:KeyProtection:CertificatePath"];
        var path = string.IsNullOrWhiteSpace(configured) ? data.File(CertificateFile) : Path.GetFullPath(configured);
        if (File.Exists(path))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password: null, X509KeyStorageFlags.EphemeralKeySet);
        }

        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=Tessera key-ring protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(100));
        data.WriteSecretFile(Path.GetFileName(path), created.Export(X509ContentType.Pkcs12));
        return X509CertificateLoader.LoadPkcs12FromFile(path, password: null, X509KeyStorageFlags.EphemeralKeySet);
    }
}
