using System.Net;
using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>
/// Registration hygiene, enforced when an application is written (RFC 9700, RFC 8252, Entra's own rules):
/// each method returns null when the value is acceptable, else the error naming the field and the rule.
/// </summary>
public static class RegistrationRules
{
    public static readonly TimeSpan DefaultSecretLifetime = TimeSpan.FromDays(180);
    public static readonly TimeSpan LongestSecretLifetime = TimeSpan.FromDays(730);

    /// <summary>HTTPS; HTTP only for loopback on public (native) clients; custom schemes only for native clients; no wildcards or fragments.</summary>
    public static TesseraError? RedirectUri(string? value, bool publicClient, string field = "redirectUris")
    {
        if (value is not null && value.Contains('*', StringComparison.Ordinal))
        {
            return RegistrationErrors.RedirectUriWildcard.With(field, value);
        }

        // "/path" parses as an absolute file URI on Unix: insist on a written scheme.
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (string.IsNullOrWhiteSpace(value) || value.Length > 1024 || colon <= 0 || value.IndexOf('/', StringComparison.Ordinal) is var slash && slash >= 0 && slash < colon ||
            !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            return RegistrationErrors.RedirectUriNotAbsolute.With(field, value ?? string.Empty);
        }

        if (value.Contains('#', StringComparison.Ordinal))
        {
            return RegistrationErrors.RedirectUriFragment.With(field, value);
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            return publicClient && IsLoopback(uri) ? null : RegistrationErrors.RedirectUriNotHttps.With(field, value);
        }

        // Private-use schemes (com.example.app:/callback) belong to native apps only (RFC 8252 §7.1).
        return publicClient && uri.Scheme.Contains('.', StringComparison.Ordinal) && uri.Scheme is not ("javascript" or "data" or "file")
            ? null
            : RegistrationErrors.RedirectUriScheme.With(field, value);
    }

    /// <summary><c>api://{appId}</c>, or an https/api URI on a verified domain of the tenant (or a subdomain of one).</summary>
    public static TesseraError? IdentifierUri(string? value, Guid appId, IEnumerable<string> verifiedDomains)
    {
        ArgumentNullException.ThrowIfNull(verifiedDomains);
        if (string.IsNullOrWhiteSpace(value) || value.Length > 256 || !Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            value.Contains('*', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal) || !string.IsNullOrEmpty(uri.Query))
        {
            return RegistrationErrors.IdentifierUriInvalid.With(value ?? string.Empty);
        }

        if (uri.Scheme == "api" && (uri.Host.Equals(appId.ToString("D"), StringComparison.OrdinalIgnoreCase) ||
                                    value.StartsWith($"api://{appId:D}", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        var onVerifiedDomain = verifiedDomains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal));
        return (uri.Scheme is "https" or "api") && onVerifiedDomain ? null : RegistrationErrors.IdentifierUriNotVerified.With(value);
    }

    /// <summary>The end of a new secret: the default lifetime, or the requested end if within the tenant's maximum.</summary>
    public static (DateTimeOffset? End, TesseraError? Error) SecretEnd(DateTimeOffset now, DateTimeOffset? requestedEnd, TimeSpan tenantMaximum)
    {
        var maximum = tenantMaximum > LongestSecretLifetime ? LongestSecretLifetime : tenantMaximum;
        if (requestedEnd is null)
        {
            return (now + (DefaultSecretLifetime < maximum ? DefaultSecretLifetime : maximum), null);
        }

        if (requestedEnd <= now)
        {
            return (null, RegistrationErrors.SecretEndInPast);
        }

        return requestedEnd - now > maximum
            ? (null, RegistrationErrors.SecretTooLong.With((int)maximum.TotalDays))
            : (requestedEnd, null);
    }

    /// <summary>A certificate credential: not expired, long enough key, usable for signatures.</summary>
    public static TesseraError? Certificate(string keyAlgorithm, int keySize, DateTimeOffset notAfter, DateTimeOffset now, bool usableForSignatures)
    {
        if (notAfter <= now)
        {
            return RegistrationErrors.CertificateExpired;
        }

        if (!usableForSignatures)
        {
            return RegistrationErrors.CertificateUsage;
        }

        return keyAlgorithm switch
        {
            "RSA" when keySize >= 2048 => null,
            "ECDSA" when keySize >= 256 => null,
            _ => RegistrationErrors.CertificateWeakKey.With(keyAlgorithm, keySize),
        };
    }

    public static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
