using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Tessera.Policy.Errors;
using Tessera.Policy.Workloads;
using Tessera.Directory.Storage;
using Tessera.Server.Hosting;

namespace Tessera.Server.Keys;

/// <summary>
/// Data Protection with its key ring in the database (so that every node shares it) and every key of the ring
/// encrypted with a certificate kept outside the database. A stolen database alone reveals no signing key.
/// The certificate is <c>keyring-protection.pfx</c> in the data folder (owner-only), made on first start,
/// or the file named by <c>Tessera:KeyProtection:CertificatePath</c> (give every node the same one).
/// <c>Tessera:KeyRing:Store=FileSystem</c> keeps the ring itself out of the database too, in
/// <c>Tessera:KeyRing:Path</c> (default <c>keyring</c> in the data folder) with owner-only permissions
/// (<see cref="FileSystemKeyRing"/>); the keys there are encrypted with the certificate all the same.
/// </summary>
public static class KeyProtection
{
    public const string CertificateFile = "keyring-protection.pfx";
    public const string KeyRingFolder = "keyring";
    public const string DatabaseStore = "Database";
    public const string FileSystemStore = "FileSystem";

    public static IServiceCollection AddTesseraKeyProtection(this IServiceCollection services, IConfiguration configuration, DataFolder data)
    {
        var certificate = LoadOrCreateCertificate(configuration, data);
        var builder = services.AddDataProtection().SetApplicationName("Tessera");
        var store = configuration["Tessera:KeyRing:Store"];
        if (string.IsNullOrWhiteSpace(store) || string.Equals(store, DatabaseStore, StringComparison.OrdinalIgnoreCase))
        {
            builder.PersistKeysToDbContext<TesseraDbContext>();
        }
        else if (string.Equals(store, FileSystemStore, StringComparison.OrdinalIgnoreCase))
        {
            var configured = configuration["Tessera:KeyRing:Path"];
            var ring = new FileSystemKeyRing(string.IsNullOrWhiteSpace(configured) ? data.File(KeyRingFolder) : configured);
            builder.Services.Configure<KeyManagementOptions>(options => options.XmlRepository = ring);
        }
        else
        {
            throw new TesseraConfigurationException(WorkloadErrors.KeyRingStoreUnknown.With(store));
        }

        builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
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
