using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Clients;
using Tessera.Server.Clients;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Directory;

/// <summary>What a caller asks for when registering an application.</summary>
public sealed record NewApplication(string DisplayName)
{
    /// <summary>A public client (native, single-page) holds no credential; a confidential client proves itself.</summary>
    public bool IsPublicClient { get; init; }
    public IReadOnlyList<string> RedirectUris { get; init; } = [];
    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];
    public IReadOnlyList<string> IdentifierUris { get; init; } = [];
    public IReadOnlyList<PermissionScope> Scopes { get; init; } = [];
    public IReadOnlyList<AppRole> AppRoles { get; init; } = [];
}

/// <summary>
/// Registers applications in both halves that describe them: the directory's registration (Graph shape) and
/// OpenIddict's client row (protocol rules), in one transaction, and manages their credentials.
/// </summary>
public sealed class ApplicationRegistrar(TesseraDbContext db, IOpenIddictApplicationManager clients, TimeProvider time)
{

    public async Task<Application> RegisterAsync(Guid tenantId, NewApplication request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var application = new Application
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            AppId = Guid.NewGuid(),
            DisplayName = request.DisplayName,
            IsFallbackPublicClient = request.IsPublicClient,
            WebRedirectUris = request.IsPublicClient ? [] : [.. request.RedirectUris],
            PublicClientRedirectUris = request.IsPublicClient ? [.. request.RedirectUris] : [],
            PostLogoutRedirectUris = [.. request.PostLogoutRedirectUris],
            IdentifierUris = [.. request.IdentifierUris],
            Oauth2PermissionScopes = [.. request.Scopes],
            AppRoles = [.. request.AppRoles],
            CreatedDateTime = time.GetUtcNow(),
        };

        await using var transaction = await BeginUnlessInTransactionAsync(cancellationToken);
        db.Applications.Add(application);
        await db.SaveChangesAsync(cancellationToken);
        await SyncClientAsync(application, cancellationToken);
        await CommitIfOwnedAsync(transaction, cancellationToken);
        return application;
    }

    /// <summary>
    /// Writes OpenIddict's client row from the registration: client type, redirect URIs, the endpoints and grants the
    /// registration calls for, and the certificates for client assertions. The registration is the one source of truth.
    /// </summary>
    public async Task SyncClientAsync(Application application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var client = await clients.FindByClientIdAsync(application.AppId.ToString("D"), cancellationToken);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = application.AppId.ToString("D"),
            ClientType = application.IsPublicClient ? ClientTypes.Public : ClientTypes.Confidential,
            ClientSecret = application.IsPublicClient ? null : TesseraApplicationManager.SecretsKeptElsewhere,
            DisplayName = application.DisplayName,
            ConsentType = ConsentTypes.Explicit,
        };
        descriptor.RedirectUris.UnionWith(application.AllRedirectUris.Select(u => new Uri(u, UriKind.Absolute)));
        descriptor.PostLogoutRedirectUris.UnionWith(application.PostLogoutRedirectUris.Select(u => new Uri(u, UriKind.Absolute)));
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation]);
        if (descriptor.RedirectUris.Count > 0)
        {
            descriptor.Permissions.UnionWith([
                Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code]);
        }

        // Device code is a public-client flow, for apps that explicitly allow public client flows (as Entra ID requires);
        // the device keeps its sign-in with a refresh token (MSAL always asks for offline_access), redirect URI or not.
        if (application.IsFallbackPublicClient)
        {
            descriptor.Permissions.UnionWith([
                Permissions.Endpoints.DeviceAuthorization, Permissions.GrantTypes.DeviceCode, Permissions.GrantTypes.RefreshToken]);
        }

        if (!application.IsPublicClient)
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Introspection, Permissions.GrantTypes.ClientCredentials]);

            // An API calling another for its user (on-behalf-of, token exchange), keeping a refresh token if granted one.
            descriptor.Permissions.UnionWith([
                Permissions.Prefixes.GrantType + Protocol.Token.Delegation.JwtBearerGrantType, Permissions.GrantTypes.TokenExchange,
                Permissions.GrantTypes.RefreshToken]);
            var certificates = await db.KeyCredentials.AsNoTracking().Where(k => k.ApplicationId == application.Id).ToListAsync(cancellationToken);
            if (certificates.Count > 0)
            {
                descriptor.JsonWebKeySet = new JsonWebKeySet();
                foreach (var credential in certificates)
                {
                    var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(credential.Key));
                    var jwk = JsonWebKeyConverter.ConvertFromX509SecurityKey(new X509SecurityKey(certificate), representAsRsaKey: true);
                    jwk.Use = JsonWebKeyUseNames.Sig;
                    descriptor.JsonWebKeySet.Keys.Add(jwk);
                }
            }
        }

        if (client is null)
        {
            await clients.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await clients.PopulateAsync(client, descriptor, cancellationToken);
            await clients.UpdateAsync(client, cancellationToken);
        }
    }

    /// <summary>Adds a server-made secret (Graph's <c>addPassword</c>); the value is returned once and never stored.</summary>
    public async Task<(PasswordCredential Credential, string Secret)> AddPasswordAsync(
        Guid appId, string? displayName, TimeSpan? lifetime, CancellationToken cancellationToken)
    {
        var application = await db.Applications.FirstAsync(a => a.AppId == appId, cancellationToken);
        var secret = ClientSecrets.Generate();
        var now = time.GetUtcNow();
        var credential = new PasswordCredential
        {
            KeyId = Guid.NewGuid(),
            ApplicationId = application.Id,
            DisplayName = displayName,
            Hint = ClientSecrets.Hint(secret),
            SecretHash = ClientSecrets.Hash(secret),
            StartDateTime = now,
            EndDateTime = now + (lifetime ?? Tessera.Policy.Registrations.RegistrationRules.DefaultSecretLifetime),
        };
        db.PasswordCredentials.Add(credential);
        application.ConcurrencyStamp = Guid.NewGuid();
        await db.SaveChangesAsync(cancellationToken);
        return (credential, secret);
    }

    /// <summary>Adds a certificate credential for <c>private_key_jwt</c>; only the public certificate is kept.</summary>
    public async Task<KeyCredential> AddCertificateAsync(Guid appId, X509Certificate2 certificate, string? displayName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var application = await db.Applications.Include(a => a.KeyCredentials).FirstAsync(a => a.AppId == appId, cancellationToken);
        var credential = new KeyCredential
        {
            KeyId = Guid.NewGuid(),
            ApplicationId = application.Id,
            DisplayName = displayName,
            Key = Convert.ToBase64String(certificate.Export(X509ContentType.Cert)),
            Thumbprint = Base64UrlEncoder.Encode(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)),
            StartDateTime = certificate.NotBefore.ToUniversalTime(),
            EndDateTime = certificate.NotAfter.ToUniversalTime(),
        };

        await using var transaction = await BeginUnlessInTransactionAsync(cancellationToken);
        db.KeyCredentials.Add(credential);
        application.ConcurrencyStamp = Guid.NewGuid();
        await db.SaveChangesAsync(cancellationToken);
        await SyncClientAsync(application, cancellationToken);
        await CommitIfOwnedAsync(transaction, cancellationToken);
        return credential;
    }

    /// <summary>Grants an app role of an API to a client application or a user.</summary>
    public async Task AssignAppRoleAsync(Guid tenantId, Guid principalId, string principalType, Guid resourceAppId, string roleValue, CancellationToken cancellationToken)
    {
        var resource = await db.Applications.AsNoTracking().FirstAsync(a => a.AppId == resourceAppId, cancellationToken);
        var role = resource.AppRoles.First(r => r.Value == roleValue);
        db.AppRoleAssignments.Add(new AppRoleAssignment
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            PrincipalId = principalId,
            PrincipalType = principalType,
            ResourceAppId = resourceAppId,
            AppRoleId = role.Id,
            CreatedDateTime = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    // Both halves of an application change together; a caller that already holds a transaction keeps it.
    private async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction?> BeginUnlessInTransactionAsync(CancellationToken cancellationToken)
        => db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;

    private static async Task CommitIfOwnedAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
