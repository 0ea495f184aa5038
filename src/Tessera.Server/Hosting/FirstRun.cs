using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Clients;
using Tessera.Policy.Admin;
using Tessera.Server.Directory;

namespace Tessera.Server.Hosting;

/// <summary>The contents of <c>bootstrap.json</c>: what a script or the CLI needs to start managing the first tenant.</summary>
public sealed record BootstrapCredentials(
    Guid TenantId, string Issuer, string Domain, string ClientId, string ClientSecret, string AdminApi, string AdminScope);

/// <summary>
/// On the very first start: the first tenant, the admin API, a confidential client holding the admin API's top
/// application permission, whose secret is written once to <c>bootstrap.json</c> (owner-only) and never again, and
/// the public client people sign in to the <c>tessera</c> command line with (device code).
/// </summary>
public sealed partial class FirstRun(
    TesseraDbContext db,
    ApplicationRegistrar registrar,
    DataFolder data,
    IOptions<TesseraOptions> options,
    TimeProvider time,
    ILogger<FirstRun> logger)
{
    public const string BootstrapFile = "bootstrap.json";

    /// <summary>
    /// The name of a tenant's registration for the <c>tessera</c> command line. Together with "allows public client
    /// flows" it is how the registration is found again (see <see cref="FindCliClientAsync"/>): no column marks it.
    /// </summary>
    public const string CliApplicationName = "Tessera CLI";

    /// <summary>For a later loopback sign-in (code + PKCE); a native client's loopback redirect URI may use any port.</summary>
    public const string CliRedirectUri = "http://127.0.0.1/callback";

    private static readonly TimeSpan BootstrapSecretLifetime = TimeSpan.FromDays(365);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Creates the first tenant unless one exists; returns the tenant to announce.</summary>
    public async Task<Tenant> EnsureAsync(string origin, CancellationToken cancellationToken)
    {
        var existing = await db.Tenants.AsNoTracking().Include(t => t.Domains).OrderBy(t => t.CreatedDateTime).FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        var tenant = new Tenant
        {
            Id = Guid.NewGuid(),
            DisplayName = settings.FirstTenantName,
            CreatedDateTime = now,
            Domains = [new TenantDomain { Name = settings.FirstTenantDomain.ToLowerInvariant(), IsDefault = true, IsVerified = true }],
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(cancellationToken);
        var adminApi = await registrar.RegisterAsync(tenant.Id, AdminApi(), cancellationToken);
        var bootstrap = await registrar.RegisterAsync(tenant.Id, new NewApplication("Tessera bootstrap automation"), cancellationToken);
        var (_, secret) = await registrar.AddPasswordAsync(bootstrap.AppId, "bootstrap", BootstrapSecretLifetime, cancellationToken);
        await registrar.AssignAppRoleAsync(tenant.Id, bootstrap.AppId, "ServicePrincipal", adminApi.AppId, AdminPermissions.DirectoryReadWriteAll, cancellationToken);
        var cli = await registrar.RegisterAsync(tenant.Id, CliApplication(), cancellationToken);
        await PreConsentCliAsync(tenant.Id, cli.AppId, adminApi.AppId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var credentials = new BootstrapCredentials(
            tenant.Id, $"{origin}/{tenant.Id:D}/v2.0", tenant.Domains[0].Name, bootstrap.AppId.ToString("D"), secret,
            AdminPermissions.ApiIdentifier, AdminPermissions.ApiIdentifier + "/.default");
        if (File.Exists(data.File(BootstrapFile)))
        {
            LogBootstrapKept(logger, data.File(BootstrapFile));
        }
        else
        {
            data.WriteSecretFile(BootstrapFile, JsonSerializer.SerializeToUtf8Bytes(credentials, Json));
        }

        return tenant;
    }

    /// <summary>The app id of <paramref name="tenantId"/>'s command-line client, or null when it has none.</summary>
    public Task<Guid?> CliClientIdAsync(Guid tenantId, CancellationToken cancellationToken) => FindCliClientAsync(db, tenantId, cancellationToken);

    /// <summary>
    /// The tenant's command-line client: the oldest registration named <see cref="CliApplicationName"/> that allows
    /// public client flows. The oldest, so that a look-alike someone registers later never takes its place while the
    /// original exists; renamed or deleted, the tenant has none and people pass <c>--client-id</c>.
    /// </summary>
    public static Task<Guid?> FindCliClientAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Applications.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.DisplayName == CliApplicationName && a.IsFallbackPublicClient)
            .OrderBy(a => a.CreatedDateTime).ThenBy(a => a.Id)
            .Select(a => (Guid?)a.AppId)
            .FirstOrDefaultAsync(cancellationToken);
    }

    // A public client that allows public client flows (so device code is on), with a loopback redirect URI (so it
    // may also redeem refresh tokens, and later sign in through a browser).
    private static NewApplication CliApplication() => new(CliApplicationName)
    {
        IsPublicClient = true,
        RedirectUris = [CliRedirectUri],
    };

    /// <summary>
    /// Brings every tenant's admin API registration up to the permissions this version defines: a permission added in
    /// a later version becomes grantable in tenants created before it. Existing roles and scopes are left as they are.
    /// </summary>
    public async Task UpgradeAdminApisAsync(CancellationToken cancellationToken)
    {
        var apis = await db.Applications.Where(a => a.IdentifierUris.Contains(AdminPermissions.ApiIdentifier)).ToListAsync(cancellationToken);
        foreach (var api in apis)
        {
            if (await FindCliClientAsync(db, api.TenantId, cancellationToken) is { } cliClientId)
            {
                await PreConsentCliAsync(api.TenantId, cliClientId, api.AppId, cancellationToken);
            }

            var missingRoles = AdminPermissions.All.Where(p => !api.AppRoles.Exists(r => r.Value == p)).ToList();
            var missingScopes = AdminPermissions.All.Where(p => !api.Oauth2PermissionScopes.Exists(s => s.Value == p)).ToList();
            if (missingRoles.Count == 0 && missingScopes.Count == 0)
            {
                continue;
            }

            var template = AdminApi();
            api.AppRoles = [.. api.AppRoles, .. template.AppRoles.Where(r => missingRoles.Contains(r.Value))];
            api.Oauth2PermissionScopes = [.. api.Oauth2PermissionScopes, .. template.Scopes.Where(s => missingScopes.Contains(s.Value))];
            api.ConcurrencyStamp = Guid.NewGuid();
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The command line is the tenant's own tool: an administrator's consent for everyone to sign in with it and to use
    /// every admin permission is given up front. What a person can do with it is still only what their admin roles allow.
    /// </summary>
    private async Task PreConsentCliAsync(Guid tenantId, Guid cliClientId, Guid adminApiAppId, CancellationToken cancellationToken)
    {
        var grant = await db.OAuth2PermissionGrants.FirstOrDefaultAsync(
            g => g.ClientId == cliClientId && g.ResourceId == adminApiAppId && g.PrincipalId == Guid.Empty, cancellationToken);
        string[] scopes = ["openid", "profile", "offline_access", .. AdminPermissions.All];
        if (grant is null)
        {
            db.OAuth2PermissionGrants.Add(new OAuth2PermissionGrant
            {
                Id = Guid.NewGuid(),
                TenantId = tenantId,
                ClientId = cliClientId,
                ResourceId = adminApiAppId,
                PrincipalId = Guid.Empty,
                ConsentType = ConsentTypes.AllPrincipals,
                Scope = string.Join(' ', scopes),
                CreatedDateTime = time.GetUtcNow(),
            });
        }
        else if (scopes.Except(grant.ScopeValues, StringComparer.Ordinal).Any())
        {
            grant.Scope = string.Join(' ', grant.ScopeValues.Union(scopes, StringComparer.Ordinal));
            grant.ConcurrencyStamp = Guid.NewGuid();
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static NewApplication AdminApi() => new("Tessera admin API")
    {
        IdentifierUris = [AdminPermissions.ApiIdentifier],
        AppRoles = [.. AdminPermissions.All.Select(p => new AppRole { Id = Guid.NewGuid(), Value = p, DisplayName = p, AllowedMemberTypes = ["Application"] })],
        Scopes = [.. AdminPermissions.All.Select(p => new PermissionScope { Id = Guid.NewGuid(), Value = p, Type = "Admin", AdminConsentDisplayName = p })],
    };

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "TSR6103: {Path} already exists and was left as it is; the new tenant's bootstrap secret was not written. Move the old file away and start on an empty database to get a new one.")]
    private static partial void LogBootstrapKept(ILogger logger, string path);
}
