using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;
using Tessera.Directory.Storage;
using Tessera.Policy.Clients;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Clients;

/// <summary>
/// OpenIddict's application manager with Tessera's client secrets: several per application (for rotation with
/// overlap), each with a validity window, stored as SHA-256 of a server-made random value and compared in constant
/// time. OpenIddict's own single secret column holds an unusable placeholder.
/// </summary>
public sealed class TesseraApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    TesseraDbContext db,
    TimeProvider time)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    /// <summary>Stands in OpenIddict's secret column of confidential clients; no presented secret can match it.</summary>
    public const string SecretsKeptElsewhere = "tessera:secrets-are-in-PasswordCredentials";

    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        if (string.IsNullOrEmpty(secret) || !Guid.TryParse(application.ClientId, out var appId))
        {
            return false;
        }

        var now = time.GetUtcNow();
        var hashes = await db.PasswordCredentials.AsNoTracking()
            .Where(c => db.Applications.Any(a => a.AppId == appId && a.Id == c.ApplicationId))
            .Where(c => c.StartDateTime <= now && c.EndDateTime > now)
            .Select(c => c.SecretHash)
            .ToListAsync(cancellationToken);

        var matched = false;
        foreach (var hash in hashes)
        {
            matched |= ClientSecrets.Matches(secret, hash);
        }

        return matched;
    }

    /// <summary>
    /// The certificates a confidential client may authenticate with over mutual TLS (<c>self_signed_tls_client_auth</c>):
    /// its registered certificate credentials within their validity window, read from the registration on every request so
    /// that one removed (rotation) is refused at once. OpenIddict then requires the presented certificate to be one of them.
    /// </summary>
    public override async ValueTask<X509ChainPolicy?> GetSelfSignedTlsClientAuthenticationPolicyAsync(
        OpenIddictEntityFrameworkCoreApplication application, X509ChainPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(policy);
        var trusted = policy.Clone();
        if (!Guid.TryParse(application.ClientId, out var appId))
        {
            return trusted;
        }

        var now = time.GetUtcNow();
        var certificates = await db.KeyCredentials.AsNoTracking()
            .Where(c => db.Applications.Any(a => a.AppId == appId && a.Id == c.ApplicationId))
            .Where(c => c.StartDateTime <= now && c.EndDateTime > now)
            .Select(c => c.Key)
            .ToListAsync(cancellationToken);
        foreach (var certificate in certificates)
        {
            trusted.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certificate)));
        }

        return trusted;
    }

    /// <summary>Exact matching, except that native clients registered on a loopback IP may use any port (RFC 8252 §7.3).</summary>
    public override async ValueTask<bool> ValidateRedirectUriAsync(
        OpenIddictEntityFrameworkCoreApplication application, [StringSyntax(StringSyntaxAttribute.Uri)] string uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        var registered = await GetRedirectUrisAsync(application, cancellationToken);
        var native = await HasClientTypeAsync(application, ClientTypes.Public, cancellationToken);
        return RedirectUriMatching.IsAllowed(registered, uri, native);
    }
}
