using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Server.Admin;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Consent;

namespace Tessera.Server.Pages.Consent;

/// <summary>One application the user gave permissions to, with what it holds on each API.</summary>
public sealed record ConsentedApp(Guid ClientId, string DisplayName, IReadOnlyList<(string Resource, string Scope)> Permissions, DateTimeOffset Since);

/// <summary>
/// "My apps": the applications a user consented to, and a Revoke button each. Revoking deletes the user's grants to
/// that application and ends its refresh tokens at once, so the application must ask again. Grants an administrator
/// made for everyone are listed too, but only an administrator can remove them.
/// </summary>
public sealed class MyAppsModel(UserManager<DirectoryUser> users, TesseraDbContext db, PermissionGrants grants, AuditLog audit) : TenantPageModel
{
    public IReadOnlyList<ConsentedApp> Apps { get; private set; } = [];
    public IReadOnlyList<ConsentedApp> OrganisationApps { get; private set; } = [];
    public string UserName { get; private set; } = string.Empty;
    public string? Revoked { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? revoked)
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn($"{Request.PathBase}/myapps");
        }

        UserName = user.UserName ?? string.Empty;
        Revoked = revoked;
        var all = await LoadAsync(user.Id);
        var mine = all.Where(g => g.Grant.PrincipalId == user.Id).ToList();
        var clientsUsed = mine.Select(g => g.Grant.ClientId).ToHashSet();
        Apps = Group(mine);
        OrganisationApps = Group(all.Where(g => g.Grant.PrincipalId == Guid.Empty && clientsUsed.Contains(g.Grant.ClientId)).ToList());
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid clientId)
    {
        var user = await SignedInUserAsync(users);
        if (user is null)
        {
            return RedirectToSignIn($"{Request.PathBase}/myapps");
        }

        var mine = await db.OAuth2PermissionGrants
            .Where(g => g.TenantId == Tenant.Id && g.PrincipalId == user.Id && g.ClientId == clientId)
            .ToListAsync(HttpContext.RequestAborted);
        if (mine.Count == 0)
        {
            return SeeOther($"{Request.PathBase}/myapps");
        }

        var client = await db.Applications.AsNoTracking().Where(a => a.AppId == clientId).Select(a => a.DisplayName).FirstOrDefaultAsync(HttpContext.RequestAborted);
        db.OAuth2PermissionGrants.RemoveRange(mine);
        await audit.RecordAsync(Tenant.Id, user,
            "ApplicationManagement", "Remove delegated permission grant",
            new AuditTarget(clientId.ToString(), "ServicePrincipal", client,
                [.. mine.Select(g => new ModifiedProperty("DelegatedPermissionGrant.Scope", g.Scope, null))]),
            HttpContext.RequestAborted);
        await AdminWrites.SaveAsync(db, HttpContext, () => Task.FromResult(Results.Empty));
        await grants.RevokeSessionsAsync(clientId, user.Id, HttpContext.RequestAborted);
        return SeeOther(QueryHelpers.AddQueryString($"{Request.PathBase}/myapps", "revoked", client ?? clientId.ToString()));
    }

    private sealed record GrantRow(Tessera.Directory.Consent.OAuth2PermissionGrant Grant, string ClientName, string ResourceName);

    private async Task<List<GrantRow>> LoadAsync(Guid userId)
    {
        var rows = await db.OAuth2PermissionGrants.AsNoTracking()
            .Where(g => g.TenantId == Tenant.Id && (g.PrincipalId == userId || g.PrincipalId == Guid.Empty))
            .ToListAsync(HttpContext.RequestAborted);
        var ids = rows.SelectMany(g => new[] { g.ClientId, g.ResourceId }).Distinct().ToList();
        var names = await db.Applications.AsNoTracking()
            .Where(a => ids.Contains(a.AppId))
            .ToDictionaryAsync(a => a.AppId, a => a.DisplayName, HttpContext.RequestAborted);
        return rows.Select(g => new GrantRow(g, names.GetValueOrDefault(g.ClientId) ?? g.ClientId.ToString(), names.GetValueOrDefault(g.ResourceId) ?? "Sign-in")).ToList();
    }

    private static List<ConsentedApp> Group(List<GrantRow> rows)
        => rows.GroupBy(r => r.Grant.ClientId)
            .Select(app => new ConsentedApp(
                app.Key,
                app.First().ClientName,
                [.. app.SelectMany(r => r.Grant.ScopeValues.Select(s => (r.ResourceName, s)))],
                app.Min(r => r.Grant.CreatedDateTime)))
            .OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();

}
