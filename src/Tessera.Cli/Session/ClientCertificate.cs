using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>
/// A client's certificate and the <c>private_key_jwt</c> client assertions it signs (RFC 7523, OpenID Connect Core
/// §9): RS256 for RSA keys, ES256/ES384/ES512 for EC keys, identified by <c>x5t#S256</c>, never by a SHA-1 thumbprint.
/// </summary>
internal static class ClientCertificate
{
    /// <summary>How long an assertion is valid: long enough for clock skew, short enough to be useless if captured.</summary>
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Loads a PKCS#12 file with its private key; the password comes from an environment variable, never an argument.</summary>
    public static X509Certificate2 Load(string path, string? passwordVariable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string? password = null;
        if (!string.IsNullOrWhiteSpace(passwordVariable))
        {
            password = Environment.GetEnvironmentVariable(passwordVariable)
                       ?? throw CommandFailure.Usage(CliErrors.CertificatePasswordMissing.With(passwordVariable));
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw CommandFailure.Usage(CliErrors.CertificateUnreadable.With(path, Api.ServerExchange.OneLine(exception.Message)));
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw CommandFailure.Usage(CliErrors.CertificateUnreadable.With(path, "it holds no private key."));
        }

        return certificate;
    }

    /// <summary>A signed client assertion for <paramref name="clientId"/> addressed to the token endpoint.</summary>
    public static string CreateAssertion(X509Certificate2 certificate, string clientId, string tokenEndpoint, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var thumbprint = Base64UrlEncoder.Encode(certificate.GetCertHash(HashAlgorithmName.SHA256));
        using var rsa = certificate.GetRSAPrivateKey();
        using var ec = rsa is null ? certificate.GetECDsaPrivateKey() : null;
        var (key, algorithm) = rsa is not null ? ((SecurityKey)new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256)
            : ec is not null ? (new ECDsaSecurityKey(ec), ec.KeySize switch
            {
                256 => SecurityAlgorithms.EcdsaSha256,
                384 => SecurityAlgorithms.EcdsaSha384,
                _ => SecurityAlgorithms.EcdsaSha512,
            })
            : throw CommandFailure.Usage(CliErrors.CertificateUnreadable.With(certificate.Subject, "its key is neither RSA nor EC."));
        key.KeyId = thumbprint;
        key.CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false }; // the key is disposed below

        var issuedAt = now.UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenEndpoint,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + AssertionLifetime,
            AdditionalHeaderClaims = new Dictionary<string, object> { ["x5t#S256"] = thumbprint },
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }
}
