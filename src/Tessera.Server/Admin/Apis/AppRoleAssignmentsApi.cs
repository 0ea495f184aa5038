using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.SharedSignals;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// App role assignments (Graph's <c>appRoleAssignment</c>): what a service principal holds on other APIs
/// (<c>appRoleAssignments</c>), who holds an API's roles (<c>appRoleAssignedTo</c>, where they are granted and
/// removed, to users, groups of users or service principals), and what a user holds. Granting an app role to an
/// application is how application permissions are given, the most privileged thing an admin does: it needs
/// <c>AppRoleAssignment.ReadWrite.All</c>, is audited, and on the admin API itself is limited to the permissions the
/// caller holds.
/// </summary>
public static class AppRoleAssignmentsApi
{
    private static readonly Dictionary<string, Expression<Func<AppRoleAssignment, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = a => a.Id,
        ["appRoleId"] = a => a.AppRoleId,
        ["principalId"] = a => a.PrincipalId,
        ["principalType"] = a => a.PrincipalType,
        ["resourceId"] = a => a.ResourceAppId,
    };

    private sealed record Principal(Guid Id, string Type, string? DisplayName);

    /// <summary>Called by <see cref="ServicePrincipalsApi.MapServicePrincipals"/>: one registration line for the whole resource.</summary>
    public static void Map(RouteGroupBuilder api, RouteGroupBuilder principals)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(principals);
        principals.MapGet("/{id:guid}/appRoleAssignments", ListHeldAsync).RequirePermission(AdminPermissions.ApplicationReadAll);
        principals.MapGet("/{id:guid}/appRoleAssignedTo", ListAssignedToAsync).RequirePermission(AdminPermissions.ApplicationReadAll);
        principals.MapPost("/{id:guid}/appRoleAssignedTo", GrantAsync).RequirePermission(AdminPermissions.AppRoleAssignmentReadWriteAll);
        principals.MapDelete("/{id:guid}/appRoleAssignedTo/{assignmentId:guid}", RemoveAsync).RequirePermission(AdminPermissions.AppRoleAssignmentReadWriteAll);
        api.MapGet("/users/{id}/appRoleAssignments", ListUserAsync).RequirePermission(AdminPermissions.UserReadAll);
    }

    /// <summary>The roles the service principal <paramref name="id"/> holds on APIs (its application permissions).</summary>
    private static async Task<IResult> ListHeldAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        if (!await ServicePrincipalsApi.InTenant(db, tenantId, id).AnyAsync(http.RequestAborted) &&
            !await db.TenantServicePrincipals.AnyAsync(p => p.TenantId == tenantId && p.AppId == id, http.RequestAborted))
        {
            return GraphResults.NotFound(id.ToString());
        }

        return await RespondAsync(http, db, db.AppRoleAssignments.Where(a =>
            a.TenantId == tenantId && a.PrincipalId == id && a.PrincipalType == ServicePrincipalResource.ServicePrincipalType));
    }

    /// <summary>Who holds the roles of the API <paramref name="id"/>: users, groups and service principals.</summary>
    private static async Task<IResult> ListAssignedToAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        if (!await ServicePrincipalsApi.InTenant(db, tenantId, id).AnyAsync(http.RequestAborted))
        {
            return GraphResults.NotFound(id.ToString());
        }

        return await RespondAsync(http, db, db.AppRoleAssignments.Where(a => a.TenantId == tenantId && a.ResourceAppId == id));
    }

    /// <summary>The roles a user holds on APIs; the user by object id or user principal name.</summary>
    private static async Task<IResult> ListUserAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
    {
        var tenantId = http.Caller().TenantId;
        var userId = await UsersApi.Find(db.Users.AsNoTracking(), users, tenantId, id)
            .Select(u => (Guid?)u.Id)
            .FirstOrDefaultAsync(http.RequestAborted);
        if (userId is null)
        {
            return GraphResults.NotFound(id);
        }

        return await RespondAsync(http, db, db.AppRoleAssignments.Where(a =>
            a.TenantId == tenantId && a.PrincipalId == userId && a.PrincipalType == ServicePrincipalResource.UserType));
    }

    private static async Task<IResult> GrantAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var resource = await ServicePrincipalsApi.InTenant(db, caller.TenantId, id).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (resource is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var principalId = ApiBodies.RequiredGuid(json, "principalId", out var error);
        var resourceId = error is null ? ApiBodies.RequiredGuid(json, "resourceId", out error) : Guid.Empty;
        var appRoleId = error is null ? ApiBodies.RequiredGuid(json, "appRoleId", out error) : Guid.Empty;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        if (resourceId != id)
        {
            return GraphResults.BadRequest(RegistrationErrors.AssignmentResourceMismatch.With(resourceId, id));
        }

        var principal = await FindPrincipalAsync(db, caller.TenantId, principalId, http.RequestAborted);
        if (principal is null)
        {
            return GraphResults.BadRequest(RegistrationErrors.AssignmentPrincipalUnknown.With(principalId));
        }

        var (role, roleError) = CheckRole(resource, appRoleId, principal.Type);
        if (roleError is not null)
        {
            return GraphResults.BadRequest(roleError);
        }

        if (RefuseBeyondCaller(caller, resource, role) is { } beyond)
        {
            return beyond;
        }

        var existing = await db.AppRoleAssignments.AsNoTracking().FirstOrDefaultAsync(
            a => a.PrincipalId == principalId && a.ResourceAppId == id && a.AppRoleId == appRoleId, http.RequestAborted);
        if (existing is not null)
        {
            return GraphResults.Error(StatusCodes.Status409Conflict, RegistrationErrors.AppRoleAlreadyAssigned.With(existing.Id));
        }

        var assignment = new AppRoleAssignment
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            PrincipalId = principalId,
            PrincipalType = principal.Type,
            ResourceAppId = id,
            AppRoleId = appRoleId,
            CreatedDateTime = time.GetUtcNow(),
        };
        db.AppRoleAssignments.Add(assignment);
        await RecordAsync(audit, caller, assignment, principal, resource.DisplayName, role, added: true, http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.Json(
            ServicePrincipalResource.Assignment(assignment, principal.DisplayName, resource.DisplayName), statusCode: StatusCodes.Status201Created)));
    }

    private static async Task<IResult> RemoveAsync(
        Guid id, Guid assignmentId, HttpContext http, TesseraDbContext db, AuditLog audit, SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var resource = await ServicePrincipalsApi.InTenant(db, caller.TenantId, id).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        var assignment = resource is null
            ? null
            : await db.AppRoleAssignments.FirstOrDefaultAsync(
                a => a.Id == assignmentId && a.ResourceAppId == id && a.TenantId == caller.TenantId, http.RequestAborted);
        if (assignment is null)
        {
            return GraphResults.NotFound(resource is null ? id.ToString() : assignmentId.ToString());
        }

        var role = resource!.AppRoles.FirstOrDefault(r => r.Id == assignment.AppRoleId);
        if (RefuseBeyondCaller(caller, resource, role) is { } beyond)
        {
            return beyond;
        }

        var principal = await FindPrincipalAsync(db, caller.TenantId, assignment.PrincipalId, http.RequestAborted)
                        ?? new Principal(assignment.PrincipalId, assignment.PrincipalType, null);
        db.AppRoleAssignments.Remove(assignment);

        // A group's assignment reaches its members' tokens; a user's or an application's, its own (oid is the app id).
        var subjects = assignment.PrincipalType == AppRoleAssignment.GroupPrincipalType
            ? await db.GroupMembers.Where(m => m.GroupId == assignment.PrincipalId).Select(m => m.MemberId).ToListAsync(http.RequestAborted)
            : [assignment.PrincipalId];
        foreach (var subject in subjects)
        {
            await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.AppRoleAssignmentRemoved, subject, InitiatingEntities.Admin, http.RequestAborted);
        }

        await RecordAsync(audit, caller, assignment, principal, resource.DisplayName, role, added: false, http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    /// <summary>
    /// Removes every app role assignment of a principal that is being deleted, each audited as the removal it is, so that
    /// the principal's trail ends as a removal through <c>appRoleAssignedTo</c> would end it. Nothing is saved here: the
    /// removals are saved with the caller's delete, in its transaction.
    /// </summary>
    public static async Task RemoveAllOfPrincipalAsync(
        TesseraDbContext db, AuditLog audit, AdminCaller caller, Guid principalId, string principalType, string? principalDisplayName,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(caller);
        var assignments = await db.AppRoleAssignments
            .Where(a => a.TenantId == caller.TenantId && a.PrincipalId == principalId && a.PrincipalType == principalType)
            .ToListAsync(cancellationToken);
        if (assignments.Count == 0)
        {
            return;
        }

        // By app id alone: a multitenant API's registration lives in its home tenant.
        var resourceIds = assignments.Select(a => a.ResourceAppId).Distinct().ToList();
        var resources = await db.Applications.AsNoTracking().Where(a => resourceIds.Contains(a.AppId)).ToListAsync(cancellationToken);
        var principal = new Principal(principalId, principalType, principalDisplayName);
        foreach (var assignment in assignments.OrderBy(a => a.CreatedDateTime).ThenBy(a => a.Id))
        {
            var resource = resources.FirstOrDefault(r => r.AppId == assignment.ResourceAppId);
            db.AppRoleAssignments.Remove(assignment);
            await RecordAsync(audit, caller, assignment, principal, resource?.DisplayName,
                resource?.AppRoles.FirstOrDefault(r => r.Id == assignment.AppRoleId), added: false, cancellationToken);
        }
    }

    private static async Task<IResult> RespondAsync(HttpContext http, TesseraDbContext db, IQueryable<AppRoleAssignment> assignments)
    {
        var (query, error) = GraphQuery<AppRoleAssignment>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        return await query!.RespondAsync(http.Request, assignments.AsNoTracking(), a => a.Id,
            (page, cancellationToken) => ServicePrincipalResource.AssignmentsAsync(db, page, cancellationToken), http.RequestAborted);
    }

    /// <summary>
    /// A user of the tenant, or else a group of the tenant (its members hold the role), or else an application's service
    /// principal (id = appId): of an application registered here, or of a multitenant one that consent brought in.
    /// </summary>
    private static async Task<Principal?> FindPrincipalAsync(TesseraDbContext db, Guid tenantId, Guid id, CancellationToken cancellationToken)
        => await db.Users.AsNoTracking()
               .Where(u => u.Id == id && u.TenantId == tenantId)
               .Select(u => new Principal(u.Id, ServicePrincipalResource.UserType, u.DisplayName ?? u.UserName))
               .FirstOrDefaultAsync(cancellationToken)
           ?? await db.Groups.AsNoTracking()
               .Where(g => g.Id == id && g.TenantId == tenantId)
               .Select(g => new Principal(g.Id, AppRoleAssignment.GroupPrincipalType, g.DisplayName))
               .FirstOrDefaultAsync(cancellationToken)
           ?? await db.Applications.AsNoTracking()
               .Where(a => a.AppId == id && (a.TenantId == tenantId || db.TenantServicePrincipals.Any(p => p.TenantId == tenantId && p.AppId == id)))
               .Select(a => new Principal(a.AppId, ServicePrincipalResource.ServicePrincipalType, a.DisplayName))
               .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// The role must be one of the resource's, enabled, and meant for the principal's kind (<c>User</c> for users and,
    /// as in Entra ID, for groups, whose members are users; <c>Application</c> for service principals). The empty id is
    /// Graph's default access, for an API without roles.
    /// </summary>
    private static (AppRole? Role, TesseraError? Error) CheckRole(Application resource, Guid appRoleId, string principalType)
    {
        var role = resource.AppRoles.FirstOrDefault(r => r.Id == appRoleId);
        if (role is null)
        {
            return appRoleId == Guid.Empty && resource.AppRoles.Count == 0
                ? (null, null)
                : (null, RegistrationErrors.AppRoleUnknown.With(appRoleId, resource.DisplayName, resource.AppId));
        }

        if (!role.IsEnabled)
        {
            return (role, RegistrationErrors.AppRoleDisabled.With(role.Value, resource.DisplayName));
        }

        var (memberType, kind) = principalType switch
        {
            ServicePrincipalResource.UserType => ("User", "user"),
            AppRoleAssignment.GroupPrincipalType => ("User", "group"),
            _ => ("Application", "service principal"),
        };
        return role.AllowedMemberTypes.Contains(memberType, StringComparer.Ordinal)
            ? (role, null)
            : (role, RegistrationErrors.AppRoleMemberTypeMismatch.With(
                role.Value, string.Join(", ", role.AllowedMemberTypes), kind, memberType));
    }

    /// <summary>On the admin API, a caller grants or removes only permissions it holds: no way up from AppRoleAssignment.ReadWrite.All.</summary>
    private static IResult? RefuseBeyondCaller(AdminCaller caller, Application resource, AppRole? role)
        => ServicePrincipalsApi.IsAdminApi(resource) && role is not null && !caller.Has(role.Value)
            ? GraphResults.Forbidden(RegistrationErrors.AdminPermissionNotHeld.With(role.Value))
            : null;

    /// <summary>Entra ID's activities: logged against the principal that gained or lost the role, with the role and API.</summary>
    private static Task RecordAsync(
        AuditLog audit, AdminCaller caller, AppRoleAssignment assignment, Principal principal, string? resourceName, AppRole? role,
        bool added, CancellationToken cancellationToken)
    {
        var (activity, category) = (added, principal.Type) switch
        {
            (true, ServicePrincipalResource.UserType) => ("Add app role assignment grant to user", "UserManagement"),
            (false, ServicePrincipalResource.UserType) => ("Remove app role assignment from user", "UserManagement"),
            (true, AppRoleAssignment.GroupPrincipalType) => ("Add app role assignment to group", "GroupManagement"),
            (false, AppRoleAssignment.GroupPrincipalType) => ("Remove app role assignment from group", "GroupManagement"),
            (true, _) => ("Add app role assignment to service principal", "ApplicationManagement"),
            (false, _) => ("Remove app role assignment from service principal", "ApplicationManagement"),
        };
        string? New(string? text) => added ? text : null;
        string? Old(string? text) => added ? null : text;
        var roleValue = role?.Value ?? "(default access)";
        return audit.RecordAsync(caller, category, activity,
            new AuditTarget(principal.Id.ToString(), principal.Type, principal.DisplayName,
            [
                new ModifiedProperty("AppRoleAssignment.Id", Old(assignment.Id.ToString()), New(assignment.Id.ToString())),
                new ModifiedProperty("AppRole.Id", Old(assignment.AppRoleId.ToString()), New(assignment.AppRoleId.ToString())),
                new ModifiedProperty("AppRole.Value", Old(roleValue), New(roleValue)),
                new ModifiedProperty("ServicePrincipal.ObjectID", Old(assignment.ResourceAppId.ToString()), New(assignment.ResourceAppId.ToString())),
                new ModifiedProperty("ServicePrincipal.DisplayName", Old(resourceName), New(resourceName)),
            ]),
            cancellationToken);
    }
}
