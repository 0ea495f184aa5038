using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Server.Directory;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Puts users and applications into a running server's directory, through the server's own services.</summary>
public sealed class TestDirectory(IServiceProvider services, Guid tenantId)
{
    public const string Password = "correct horse battery staple";

    public async Task<DirectoryUser> CreateUserAsync(string? localName = null, string password = Password)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var domain = await db.TenantDomains.Where(d => d.TenantId == tenantId).Select(d => d.Name).FirstAsync();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DirectoryUser>>();
        var name = localName ?? "user" + Guid.NewGuid().ToString("N")[..8];
        var user = new DirectoryUser
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            UserName = $"{name}@{domain}",
            Email = $"{name}@{domain}",
            DisplayName = name,
            CreatedDateTime = DateTimeOffset.UtcNow,
        };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return user;
    }

    public async Task SetUserEnabledAsync(Guid userId, bool enabled)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DirectoryUser>>();
        var user = await users.FindByIdAsync(userId.ToString("D"));
        user!.AccountEnabled = enabled;
        await users.UpdateAsync(user);
    }

    public async Task<Application> RegisterAsync(NewApplication application)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApplicationRegistrar>().RegisterAsync(tenantId, application, default);
    }

    public async Task<string> AddSecretAsync(Guid appId, TimeSpan? lifetime = null)
    {
        await using var scope = services.CreateAsyncScope();
        var (_, secret) = await scope.ServiceProvider.GetRequiredService<ApplicationRegistrar>().AddPasswordAsync(appId, "test", lifetime, default);
        return secret;
    }

    public async Task AddCertificateAsync(Guid appId, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ApplicationRegistrar>().AddCertificateAsync(appId, certificate, "test", default);
    }

    /// <summary>Trusts tokens of <paramref name="issuer"/> for <paramref name="subject"/> (the admin API's rules are tested on their own).</summary>
    public async Task AddFederatedCredentialAsync(Guid appId, string issuer, string subject, string audience = "api://AzureADTokenExchange")
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var application = await db.Applications.FirstAsync(a => a.AppId == appId);
        db.FederatedIdentityCredentials.Add(new FederatedIdentityCredential
        {
            Id = Guid.NewGuid(), ApplicationId = application.Id, Name = "fic-" + Guid.NewGuid().ToString("N")[..8],
            Issuer = issuer, Subject = subject, Audiences = [audience],
        });
        await db.SaveChangesAsync();
    }

    public async Task AssignAsync(Guid principalId, string principalType, Guid resourceAppId, string role)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ApplicationRegistrar>().AssignAppRoleAsync(tenantId, principalId, principalType, resourceAppId, role, default);
    }

    /// <summary>
    /// An API with read, write and a sensitive read scope (administrators only), and an app role for applications and
    /// one for users. Read and write are rated low-risk, so that users may consent to them under the default policy.
    /// </summary>
    public async Task<Application> RegisterApiAsync(string identifier)
    {
        var api = await RegisterAsync(OrdersApi(identifier));
        await ClassifyAsync(api, "Orders.Read", "low");
        await ClassifyAsync(api, "Orders.ReadWrite", "low");
        return api;
    }

    /// <summary>Sets what the tenant's users may consent to (one of <c>UserConsentPolicies</c>).</summary>
    public Task SetUserConsentPolicyAsync(string policy)
        => QueryAsync(db => db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(set => set.SetProperty(t => t.UserConsentPolicy, policy)));

    /// <summary>An administrator's consent, for every user (or for one), to <paramref name="scopes"/> of an API for a client.</summary>
    public async Task GrantConsentAsync(Guid clientAppId, Guid resourceAppId, string scopes, Guid? userId = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var grants = scope.ServiceProvider.GetRequiredService<Tessera.Server.Consent.PermissionGrants>();
        await grants.AddAsync(tenantId, clientAppId, resourceAppId, userId ?? Guid.Empty, scopes.Split(' '), default);
        await db.SaveChangesAsync();
    }

    /// <summary>The app id of the tenant's admin API, where OpenID Connect scopes are granted too.</summary>
    public Task<Guid> AdminApiAppIdAsync()
        => QueryAsync(db => db.Applications.Where(a => a.TenantId == tenantId && a.IdentifierUris.Contains(Tessera.Policy.Admin.AdminPermissions.ApiIdentifier))
            .Select(a => a.AppId).SingleAsync());

    /// <summary>Rates a delegated permission of <paramref name="api"/> (low, medium or high).</summary>
    public async Task ClassifyAsync(Application api, string scope, string classification)
    {
        await using var serviceScope = services.CreateAsyncScope();
        var db = serviceScope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var permission = api.Oauth2PermissionScopes.Single(s => s.Value == scope);
        await db.DelegatedPermissionClassifications.Where(c => c.ResourceId == api.AppId && c.PermissionId == permission.Id).ExecuteDeleteAsync();
        db.DelegatedPermissionClassifications.Add(new Tessera.Directory.Consent.DelegatedPermissionClassification
        {
            Id = Guid.NewGuid(), TenantId = tenantId, ResourceId = api.AppId, PermissionId = permission.Id, PermissionName = scope,
            Classification = classification,
        });
        await db.SaveChangesAsync();
    }

    private static NewApplication OrdersApi(string identifier)
        => new("Orders API " + identifier)
        {
            IdentifierUris = [identifier],
            Scopes =
            [
                new PermissionScope { Id = Guid.NewGuid(), Value = "Orders.Read", Type = "User" },
                new PermissionScope { Id = Guid.NewGuid(), Value = "Orders.ReadWrite", Type = "User" },
                new PermissionScope { Id = Guid.NewGuid(), Value = "Orders.ReadFull", Type = "Admin" },
            ],
            AppRoles =
            [
                new AppRole { Id = Guid.NewGuid(), Value = "Orders.Read.All", AllowedMemberTypes = ["Application"] },
                new AppRole { Id = Guid.NewGuid(), Value = "Orders.Approver", AllowedMemberTypes = ["User"] },
            ],
        };

    /// <summary>Gives a user a built-in admin role (by template id).</summary>
    public async Task AssignAdminRoleAsync(Guid userId, Guid roleTemplateId)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        db.DirectoryRoleAssignments.Add(new Tessera.Directory.Roles.DirectoryRoleAssignment
        {
            Id = Guid.NewGuid(), TenantId = tenantId, PrincipalId = userId, RoleDefinitionId = roleTemplateId, CreatedDateTime = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>Another tenant on the same server, with one domain.</summary>
    public async Task<TestDirectory> CreateTenantAsync(string domain)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var tenant = new Tessera.Directory.Tenants.Tenant
        {
            Id = Guid.NewGuid(),
            DisplayName = domain,
            CreatedDateTime = DateTimeOffset.UtcNow,
            Domains = [new Tessera.Directory.Tenants.TenantDomain { Name = domain, IsDefault = true, IsVerified = true }],
        };
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync();
        return new TestDirectory(services, tenant.Id);
    }

    public Guid TenantId => tenantId;

    public async Task<T> QueryAsync<T>(Func<TesseraDbContext, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TesseraDbContext>());
    }
}
