using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Policy.Workloads;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// Applies a Graph <c>application</c> body (POST or PATCH) to a registration: only the properties present change,
/// each is checked against the registration rules, and the first broken rule stops the whole change.
/// </summary>
public static class ApplicationChanges
{
    public sealed record Outcome(IReadOnlyList<ModifiedProperty> Modified, TesseraError? Error);

    private static readonly string[] ObjectProperties = ["web", "spa", "publicClient", "api"];

    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "id", "appId", "createdDateTime", "passwordCredentials", "publisherDomain", "verifiedPublisher",
    };

    public static async Task<Outcome> ApplyAsync(TesseraDbContext db, Application app, JsonObject body, bool creating, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(body);
        var modified = new List<ModifiedProperty>();

        var readOnly = body.Select(p => p.Key).FirstOrDefault(ReadOnly.Contains);
        if (readOnly is not null)
        {
            return Fail(RegistrationErrors.ReadOnlyProperty.With(readOnly + readOnly switch
            {
                "passwordCredentials" => " (use addPassword)",
                "verifiedPublisher" => " (an administrator uses setVerifiedPublisher)",
                _ => string.Empty,
            }));
        }

        var notObject = ObjectProperties.FirstOrDefault(name => body[name] is not (null or JsonObject));
        if (notObject is not null)
        {
            return Fail(RegistrationErrors.Malformed.With($"'{notObject}' must be a JSON object."));
        }

        var displayName = ApiBodies.OptionalString(body, "displayName", 256, out var error);
        if (error is not null)
        {
            return Fail(error);
        }

        if (displayName is not null || creating)
        {
            if (string.IsNullOrWhiteSpace(displayName))
            {
                return Fail(RegistrationErrors.DisplayNameRequired);
            }

            ModifiedProperty.Track(modified, "displayName", app.DisplayName, displayName);
            app.DisplayName = displayName.Trim();
        }

        var audience = ApiBodies.OptionalString(body, "signInAudience", 64, out error);
        if (error is not null)
        {
            return Fail(error);
        }

        if (audience is not null)
        {
            if (audience is not (SignInAudiences.SingleTenant or SignInAudiences.MultiTenant))
            {
                return Fail(RegistrationErrors.SignInAudienceUnknown.With(audience));
            }

            ModifiedProperty.Track(modified, "signInAudience", app.SignInAudience, audience);
            app.SignInAudience = audience;
        }

        var fallbackPublic = ApiBodies.OptionalBool(body, "isFallbackPublicClient", out error);
        if (error is not null)
        {
            return Fail(error);
        }

        if (fallbackPublic is { } isPublic)
        {
            ModifiedProperty.Track(modified, "isFallbackPublicClient", app.IsFallbackPublicClient.ToString(), isPublic.ToString());
            app.IsFallbackPublicClient = isPublic;
        }

        // Implicit grant settings exist in Graph's shape; here they can only say no.
        if (body["web"]?["implicitGrantSettings"] is JsonObject implicitSettings &&
            implicitSettings.Any(p => p.Value?.GetValueKind() == JsonValueKind.True))
        {
            return Fail(TesseraErrors.ImplicitFlowUnsupported);
        }

        var platforms = new (string Field, JsonObject? Node, Func<List<string>> Get, Action<List<string>> Set, bool Public)[]
        {
            ("web.redirectUris", body["web"] as JsonObject, () => app.WebRedirectUris, v => app.WebRedirectUris = v, false),
            ("spa.redirectUris", body["spa"] as JsonObject, () => app.SpaRedirectUris, v => app.SpaRedirectUris = v, true),
            ("publicClient.redirectUris", body["publicClient"] as JsonObject, () => app.PublicClientRedirectUris, v => app.PublicClientRedirectUris = v, true),
        };
        foreach (var (field, node, get, set, isPublicPlatform) in platforms)
        {
            var uris = ApiBodies.OptionalStrings(node, "redirectUris", out error);
            if (error is not null)
            {
                return Fail(error);
            }

            if (uris is null)
            {
                continue;
            }

            var invalid = uris.Select(u => RegistrationRules.RedirectUri(u, isPublicPlatform || app.IsFallbackPublicClient, field)).FirstOrDefault(e => e is not null);
            if (invalid is not null)
            {
                return Fail(invalid);
            }

            ModifiedProperty.Track(modified, field, string.Join(" ", get()), string.Join(" ", uris));
            set([.. uris.Distinct(StringComparer.Ordinal)]);
        }

        var logoutUris = ApiBodies.OptionalStrings(body, "postLogoutRedirectUris", out error);
        if (error is not null)
        {
            return Fail(error);
        }

        if (logoutUris is not null)
        {
            var invalid = logoutUris.Select(u => RegistrationRules.RedirectUri(u, app.IsPublicClient, "postLogoutRedirectUris")).FirstOrDefault(e => e is not null);
            if (invalid is not null)
            {
                return Fail(invalid);
            }

            ModifiedProperty.Track(modified, "postLogoutRedirectUris", string.Join(" ", app.PostLogoutRedirectUris), string.Join(" ", logoutUris));
            app.PostLogoutRedirectUris = [.. logoutUris.Distinct(StringComparer.Ordinal)];
        }

        var identifierUris = ApiBodies.OptionalStrings(body, "identifierUris", out error);
        if (error is not null)
        {
            return Fail(error);
        }

        if (identifierUris is not null)
        {
            var verified = await db.TenantDomains.AsNoTracking().Where(d => d.TenantId == app.TenantId && d.IsVerified).Select(d => d.Name).ToListAsync(cancellationToken);
            var invalid = identifierUris.Select(u => RegistrationRules.IdentifierUri(u, app.AppId, verified)).FirstOrDefault(e => e is not null);
            if (invalid is not null)
            {
                return Fail(invalid);
            }

            foreach (var uri in identifierUris)
            {
                if (await db.Applications.AnyAsync(a => a.TenantId == app.TenantId && a.Id != app.Id && a.IdentifierUris.Contains(uri), cancellationToken))
                {
                    return Fail(RegistrationErrors.IdentifierUriTaken.With(uri));
                }
            }

            ModifiedProperty.Track(modified, "identifierUris", string.Join(" ", app.IdentifierUris), string.Join(" ", identifierUris));
            app.IdentifierUris = [.. identifierUris.Distinct(StringComparer.Ordinal)];
        }

        if (body["api"]?["oauth2PermissionScopes"] is JsonNode scopesNode)
        {
            var (scopes, scopesError) = ParseList<PermissionScope>(scopesNode, "api.oauth2PermissionScopes");
            if (scopesError is not null)
            {
                return Fail(scopesError);
            }

            if (scopes!.Any(s => s is null || string.IsNullOrWhiteSpace(s.Value) || s.Value.Contains(' ', StringComparison.Ordinal) || s.Type is not ("User" or "Admin")))
            {
                return Fail(RegistrationErrors.Malformed.With("each api.oauth2PermissionScopes entry needs a value without spaces and a type of User or Admin."));
            }

            scopes!.ForEach(s => s.Id = s.Id == Guid.Empty ? Guid.NewGuid() : s.Id);
            ModifiedProperty.Track(modified, "api.oauth2PermissionScopes", string.Join(" ", app.Oauth2PermissionScopes.Select(s => s.Value)), string.Join(" ", scopes.Select(s => s.Value)));
            app.Oauth2PermissionScopes = scopes;
        }

        if (body["appRoles"] is JsonNode rolesNode)
        {
            var (roles, rolesError) = ParseList<AppRole>(rolesNode, "appRoles");
            if (rolesError is not null)
            {
                return Fail(rolesError);
            }

            if (roles!.Any(r => r is null || string.IsNullOrWhiteSpace(r.Value) || r.Value.Contains(' ', StringComparison.Ordinal) ||
                                r.AllowedMemberTypes is not { Count: > 0 } || r.AllowedMemberTypes.Any(t => t is not ("User" or "Application"))))
            {
                return Fail(RegistrationErrors.Malformed.With("each appRoles entry needs a value without spaces and allowedMemberTypes of User and/or Application."));
            }

            roles!.ForEach(r => r.Id = r.Id == Guid.Empty ? Guid.NewGuid() : r.Id);
            ModifiedProperty.Track(modified, "appRoles", string.Join(" ", app.AppRoles.Select(r => r.Value)), string.Join(" ", roles.Select(r => r.Value)));
            app.AppRoles = roles;
        }

        if (body["keyCredentials"] is JsonNode keysNode)
        {
            var keysError = ReplaceCertificates(db, app, keysNode, modified);
            if (keysError is not null)
            {
                return Fail(keysError);
            }
        }

        var bound = ApiBodies.OptionalBool(body, "tlsClientCertificateBoundAccessTokens", out error);
        if (error is not null)
        {
            return Fail(error);
        }

        if (bound is { } isBound)
        {
            ModifiedProperty.Track(modified, "tlsClientCertificateBoundAccessTokens", app.TlsClientCertificateBoundAccessTokens.ToString(), isBound.ToString());
            app.TlsClientCertificateBoundAccessTokens = isBound;
        }

        // Checked on the result, whichever of the two changed: the setting would lock out a client with no certificate.
        if (app.TlsClientCertificateBoundAccessTokens && !app.IsPublicClient && app.KeyCredentials.Count == 0)
        {
            return Fail(WorkloadErrors.BoundTokensNeedCertificate);
        }

        // After the scopes and app roles: an application may declare its own API's permissions.
        var accessError = await ApplicationAccessChanges.ApplyAsync(db, app, body, modified, cancellationToken);
        if (accessError is not null)
        {
            return Fail(accessError);
        }

        return new Outcome(modified, null);
    }

    /// <summary>Graph replaces the whole keyCredentials list on PATCH: keep the listed keyIds, add the new certificates.</summary>
    private static TesseraError? ReplaceCertificates(
        TesseraDbContext db, Application app, JsonNode node, List<ModifiedProperty> modified)
    {
        if (node is not JsonArray array || array.Count > 16)
        {
            return RegistrationErrors.Malformed.With("'keyCredentials' must be an array of at most 16 certificates.");
        }

        var now = DateTimeOffset.UtcNow;
        var keep = new HashSet<Guid>();
        var added = new List<KeyCredential>();
        foreach (var item in array.OfType<JsonObject>())
        {
            if (Guid.TryParse(ApiBodies.Text(item["keyId"]), out var keyId) && app.KeyCredentials.Any(k => k.KeyId == keyId) && item["key"] is null)
            {
                keep.Add(keyId);
                continue;
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(ApiBodies.Text(item["key"]) ?? string.Empty));
            }
            catch (Exception exception) when (exception is FormatException or CryptographicException or InvalidOperationException)
            {
                return RegistrationErrors.CertificateUnreadable;
            }

            using (certificate)
            {
                var (algorithm, size) = certificate.GetRSAPublicKey() is { } rsa ? ("RSA", rsa.KeySize)
                    : certificate.GetECDsaPublicKey() is { } ec ? ("ECDSA", ec.KeySize) : ("unknown", 0);
                var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
                var signs = usage is null || usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature);
                var rejected = RegistrationRules.Certificate(algorithm, size, certificate.NotAfter.ToUniversalTime(), now, signs);
                if (rejected is not null)
                {
                    return rejected;
                }

                added.Add(new KeyCredential
                {
                    KeyId = Guid.NewGuid(),
                    ApplicationId = app.Id,
                    DisplayName = ApiBodies.Text(item["displayName"]) ?? certificate.Subject,
                    Key = Convert.ToBase64String(certificate.Export(X509ContentType.Cert)),
                    Thumbprint = Base64UrlEncoder.Encode(certificate.GetCertHash(HashAlgorithmName.SHA256)),
                    StartDateTime = certificate.NotBefore.ToUniversalTime(),
                    EndDateTime = certificate.NotAfter.ToUniversalTime(),
                });
            }
        }

        var removed = app.KeyCredentials.Where(k => !keep.Contains(k.KeyId)).ToList();
        db.KeyCredentials.RemoveRange(removed);
        db.KeyCredentials.AddRange(added);
        foreach (var credential in removed)
        {
            app.KeyCredentials.Remove(credential);
        }

        app.KeyCredentials.AddRange(added);
        ModifiedProperty.Track(modified, "keyCredentials",
            string.Join(" ", removed.Select(k => k.Thumbprint)), string.Join(" ", added.Select(k => k.Thumbprint)));
        return null;
    }

    private static (List<T>? Items, TesseraError? Error) ParseList<T>(JsonNode node, string field)
    {
        if (node.ToJsonString().Contains("\\u0000", StringComparison.Ordinal))
        {
            return (null, RegistrationErrors.Malformed.With($"'{field}' contains a NUL character."));
        }

        try
        {
            var items = node.Deserialize<List<T>>(Queries.AdminJson.Options);
            return items is null || items.Count > 256 ? (null, RegistrationErrors.Malformed.With($"'{field}' must be an array of at most 256 entries.")) : (items, null);
        }
        catch (JsonException)
        {
            return (null, RegistrationErrors.Malformed.With($"'{field}' does not have the shape Microsoft Graph gives it."));
        }
    }


    private static Outcome Fail(TesseraError error) => new([], error);
}
