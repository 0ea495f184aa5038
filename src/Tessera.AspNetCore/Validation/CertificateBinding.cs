using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.Validation;

/// <summary>
/// Certificate-bound access tokens (RFC 8705 §3): a token whose <c>cnf</c> names a certificate's SHA-256 thumbprint is
/// good only on a request that comes with that certificate, over TLS or as forwarded by a proxy the application set up
/// with ASP.NET Core's certificate forwarding. Checked on every request, cached token or not: the cache remembers the
/// thumbprint, never the outcome.
/// </summary>
internal static class CertificateBinding
{
    private const string Confirmation = "cnf";
    private const string Sha256Thumbprint = "x5t#S256";

    /// <summary>The thumbprint the token is bound to; null for a token that is not bound to a certificate.</summary>
    public static string? Thumbprint(JsonWebToken jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        if (!jwt.TryGetPayloadValue<JsonElement>(Confirmation, out var confirmation))
        {
            return null;
        }

        // A cnf that names no certificate thumbprint (another kind of key, say) binds the token to something this API
        // cannot check: an empty thumbprint, which no certificate matches.
        return confirmation.ValueKind == JsonValueKind.Object && confirmation.TryGetProperty(Sha256Thumbprint, out var thumbprint) &&
               thumbprint.ValueKind == JsonValueKind.String
            ? thumbprint.GetString() ?? string.Empty
            : string.Empty;
    }

    /// <summary>Why the request may not use a token bound to <paramref name="thumbprint"/>; null when it may.</summary>
    public static async Task<Exception?> RefusalAsync(HttpContext context, string thumbprint)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted).ConfigureAwait(false);
        if (certificate is null)
        {
            return new CertificateBindingException(TesseraApiErrors.CertificateMissing);
        }

        var presented = Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData));
        return thumbprint.Length > 0 && string.Equals(presented, thumbprint, StringComparison.Ordinal)
            ? null
            : new CertificateBindingException(TesseraApiErrors.CertificateMismatch);
    }
}

/// <summary>A certificate-bound token presented without its certificate.</summary>
internal sealed class CertificateBindingException(string message) : SecurityTokenValidationException(message);
