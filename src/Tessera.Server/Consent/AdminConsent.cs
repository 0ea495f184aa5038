using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Protocol.Resources;
using Tessera.Server.Protocol.Tokens;

namespace Tessera.Server.Consent;

/// <summary>One permission admin consent gives: a delegated scope for every user, or an application permission (app role).</summary>
public sealed record AdminConsentItem(Guid ResourceId, string ResourceName, string Value, string Words, Guid? AppRoleId)
{
    public bool IsApplicationPermission => AppRoleId is not null;
}

/// <summary>What an administrator is asked to consent to for a client, or why the request cannot be answered.</summary>
public sealed record AdminConsentPlan(Application? Client, IReadOnlyList<AdminConsentItem> Items, TesseraError? Error);

/// <summary>
/// Admin consent (<c>/{tenant}/v2.0/adminconsent</c>): an administrator grants, for the whole tenant, what an
/// application declares it needs (<c>requiredResourceAccess</c>) or what the request's <c>scope</c> names: delegated
/// scopes become a grant for all users, application permissions become app role assignments of the client. It is the
/// only way, besides the admin API, that an application permission is ever granted.
/// </summary>
public sealed class AdminConsent(
    TesseraDbContext db, ResourceDirectory resources, PermissionGrants grants, AdminRoleLookup adminRoles, AuditLog audit, TimeProvider time)
{
    public async Task<AdminConsentPlan> PlanAsync(Guid tenantId, string? clientId, string? scope, CancellationToken cancellationToken)
    {
        // An application of this tenant, or a multitenant one of any tenant: admin consent is how it enters this one.
        var client = Guid.TryParse(clientId, out var appId)
            ? await db.Applications.AsNoTracking().FirstOrDefaultAsync(
                a => a.AppId == appId && (a.TenantId == tenantId || a.SignInAudience == SignInAudiences.MultiTenant), cancellationToken)
            : null;
        if (client is null)
        {
            return new AdminConsentPlan(null, [], TesseraErrors.ClientNotInTenant);
        }

        var items = new List<AdminConsentItem>();
        if (string.IsNullOrWhiteSpace(scope) || scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(ScopeRequest.OpenIdConnectScopes.Contains))
        {
            foreach (var required in client.RequiredResourceAccess)
            {
                var resource = await resources.FindAsync(tenantId, required.ResourceAppId.ToString("D"), cancellationToken);
                if (resource is not null)
                {
                    items.AddRange(Declared(resource, required.ResourceAccess));
                }
            }
        }
        else
        {
            var parsed = ScopeRequest.Parse(scope.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (parsed.Error is not null)
            {
                return new AdminConsentPlan(client, [], parsed.Error);
            }

            var resource = await resources.FindAsync(tenantId, parsed.Request!.Resource!, cancellationToken);
            if (resource is null)
            {
                return new AdminConsentPlan(client, [], TesseraErrors.ResourceUnknown.With(parsed.Request.Resource!));
            }

            if (parsed.Request.IsDefault)
            {
                items.AddRange(Declared(resource, client.RequiredResourceAccess.Where(r => r.ResourceAppId == resource.AppId).SelectMany(r => r.ResourceAccess)));
            }
            else
            {
                var unknown = parsed.Request.ResourceScopes.FirstOrDefault(s => !resource.EnabledScopeValues.Contains(s, StringComparer.Ordinal));
                if (unknown is not null)
                {
                    return new AdminConsentPlan(client, [], TesseraErrors.ScopeNotExposed.With(parsed.Request.Resource!, unknown));
                }

                items.AddRange(parsed.Request.ResourceScopes.Select(s => Delegated(resource, resource.Scopes.First(p => p.Value == s))));
            }
        }

        return items.Count == 0
            ? new AdminConsentPlan(client, [], TesseraErrors.AdminConsentNothingToGrant)
            : new AdminConsentPlan(client, items, null);
    }

    /// <summary>Whether the user may consent for the whole tenant, and grant application permissions too.</summary>
    public async Task<(bool Delegated, bool Application)> AuthorityAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        var held = await adminRoles.PermissionsAsync(tenantId, userId, cancellationToken);
        return (held.Contains(AdminPermissions.DelegatedPermissionGrantReadWriteAll), held.Contains(AdminPermissions.AppRoleAssignmentReadWriteAll));
    }

    /// <summary>Grants the plan for the whole tenant and audits it. Tracked only: the caller saves.</summary>
    public async Task<TesseraError?> GrantAsync(Guid tenantId, DirectoryUser admin, AdminConsentPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(plan);
        var (mayDelegate, mayAssign) = await AuthorityAsync(tenantId, admin.Id, cancellationToken);
        if (!mayDelegate || (plan.Items.Any(i => i.IsApplicationPermission) && !mayAssign))
        {
            return TesseraErrors.AdminConsentNotAdministrator;
        }

        var client = plan.Client!;
        await grants.EnsureServicePrincipalAsync(tenantId, client.AppId, cancellationToken);
        foreach (var resource in plan.Items.Where(i => !i.IsApplicationPermission).GroupBy(i => i.ResourceId))
        {
            await grants.AddAsync(tenantId, client.AppId, resource.Key, Guid.Empty, resource.Select(i => i.Value), cancellationToken);
        }

        foreach (var role in plan.Items.Where(i => i.IsApplicationPermission))
        {
            var held = await db.AppRoleAssignments.AnyAsync(
                a => a.PrincipalId == client.AppId && a.ResourceAppId == role.ResourceId && a.AppRoleId == role.AppRoleId, cancellationToken);
            if (!held)
            {
                db.AppRoleAssignments.Add(new AppRoleAssignment
                {
                    Id = Guid.NewGuid(),
                    TenantId = tenantId,
                    PrincipalId = client.AppId,
                    PrincipalType = "ServicePrincipal",
                    ResourceAppId = role.ResourceId,
                    AppRoleId = role.AppRoleId!.Value,
                    CreatedDateTime = time.GetUtcNow(),
                });
            }
        }

        await audit.RecordAsync(tenantId, admin,
            "ApplicationManagement", "Consent to application",
            new AuditTarget(client.AppId.ToString(), "ServicePrincipal", client.DisplayName,
            [
                new ModifiedProperty("ConsentContext.IsAdminConsent", null, "True"),
                new ModifiedProperty("ConsentContext.OnBehalfOfAll", null, "True"),
                new ModifiedProperty("ConsentAction.Permissions", null,
                    string.Join(", ", plan.Items.Select(i => $"{i.ResourceName}: {i.Value}{(i.IsApplicationPermission ? " (application)" : string.Empty)}"))),
            ]),
            cancellationToken);
        return null;
    }

    private static IEnumerable<AdminConsentItem> Declared(ResourceInfo resource, IEnumerable<ResourceAccess> access)
    {
        foreach (var entry in access)
        {
            if (entry.Type == "Scope" && resource.Scopes.FirstOrDefault(s => s.Id == entry.Id && s.IsEnabled) is { } scope)
            {
                yield return Delegated(resource, scope);
            }
            else if (entry.Type == "Role" && resource.AppRoles.FirstOrDefault(r => r.Id == entry.Id && r.IsEnabled) is { } role)
            {
                yield return new AdminConsentItem(resource.AppId, resource.DisplayName, role.Value,
                    role.DisplayName ?? $"Use {role.Value} on {resource.DisplayName} as itself, with no user signed in", role.Id);
            }
        }
    }

    private static AdminConsentItem Delegated(ResourceInfo resource, PermissionScope scope)
        => new(resource.AppId, resource.DisplayName, scope.Value,
            scope.AdminConsentDisplayName ?? scope.UserConsentDisplayName ?? $"Use {scope.Value} on {resource.DisplayName} for every user", null);
}
