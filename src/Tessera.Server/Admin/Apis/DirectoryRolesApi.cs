using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Roles;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/roleManagement/directory</c>: the built-in admin roles (Graph's <c>unifiedRoleDefinition</c>, numbered with Entra
/// ID's template ids) and who holds them (<c>unifiedRoleAssignment</c>, tenant-wide scope <c>/</c> only).
/// </summary>
public static class DirectoryRolesApi
{
    private const string Category = "RoleManagement";
    private const string TenantScope = "/";

    private static readonly Dictionary<string, Expression<Func<AdminRole, object?>>> DefinitionFilterable = new(StringComparer.Ordinal)
    {
        ["id"] = r => r.TemplateId,
        ["templateId"] = r => r.TemplateId,
        ["displayName"] = r => r.DisplayName,
    };

    private static readonly Dictionary<string, Expression<Func<DirectoryRoleAssignment, object?>>> AssignmentFilterable = new(StringComparer.Ordinal)
    {
        ["id"] = a => a.Id,
        ["principalId"] = a => a.PrincipalId,
        ["roleDefinitionId"] = a => a.RoleDefinitionId,
    };

    public static RouteGroupBuilder MapDirectoryRoles(this RouteGroupBuilder api)
    {
        var roles = api.MapGroup("/roleManagement/directory");
        roles.MapGet("/roleDefinitions", ListDefinitions).RequirePermission(AdminPermissions.RoleManagementReadDirectory);
        roles.MapGet("/roleDefinitions/{id:guid}", GetDefinition).RequirePermission(AdminPermissions.RoleManagementReadDirectory);
        roles.MapGet("/roleAssignments", ListAssignmentsAsync).RequirePermission(AdminPermissions.RoleManagementReadDirectory);
        roles.MapGet("/roleAssignments/{id:guid}", GetAssignmentAsync).RequirePermission(AdminPermissions.RoleManagementReadDirectory);
        roles.MapPost("/roleAssignments", AssignAsync).RequirePermission(AdminPermissions.RoleManagementReadWriteDirectory);
        roles.MapDelete("/roleAssignments/{id:guid}", UnassignAsync).RequirePermission(AdminPermissions.RoleManagementReadWriteDirectory);
        return api;
    }

    /// <summary>The nine built-in roles live in code, not in the database: filtered, cut and paged in memory.</summary>
    private static IResult ListDefinitions(HttpContext http)
    {
        var (query, error) = GraphQuery<AdminRole>.Parse(http.Request, DefinitionFilterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var request = http.Request;
        var matching = (query!.Filter is null ? AdminRoles.All : AdminRoles.All.AsQueryable().Where(query.Filter).ToList())
            .OrderBy(r => r.DisplayName, StringComparer.Ordinal).ToList();
        var response = new JsonObject
        {
            ["@odata.context"] = GraphLinks.Context(request, "roleManagement/directory/roleDefinitions"),
        };
        if (query.Count)
        {
            response["@odata.count"] = matching.Count;
        }

        response["value"] = new JsonArray([.. matching.Skip(query.Skip).Take(query.Top).Select(r => (JsonNode?)query.Shape(Definition(r)))]);
        if (matching.Count > query.Skip + query.Top)
        {
            response["@odata.nextLink"] = GraphLinks.Next(request, query.Skip + query.Top);
        }

        return Results.Json(response);
    }

    private static IResult GetDefinition(Guid id)
        => AdminRoles.Find(id) is { } role ? Results.Json(Definition(role)) : GraphResults.NotFound(id.ToString());

    private static async Task<IResult> ListAssignmentsAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<DirectoryRoleAssignment>.Parse(http.Request, AssignmentFilterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.DirectoryRoleAssignments.AsNoTracking().Where(a => a.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, a => a.Id, Assignment, http.RequestAborted);
    }

    private static async Task<IResult> GetAssignmentAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var assignment = await db.DirectoryRoleAssignments.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == id && a.TenantId == http.Caller().TenantId, http.RequestAborted);
        return assignment is null ? GraphResults.NotFound(id.ToString()) : Results.Json(Assignment(assignment));
    }

    private static async Task<IResult> AssignAsync(HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var principalId = ApiBodies.RequiredGuid(json, "principalId", out var error);
        var roleDefinitionId = error is null ? ApiBodies.RequiredGuid(json, "roleDefinitionId", out error) : Guid.Empty;
        var scope = error is null ? ApiBodies.OptionalString(json, "directoryScopeId", 256, out error) ?? TenantScope : TenantScope;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var role = AdminRoles.Find(roleDefinitionId);
        if (role is null)
        {
            return GraphResults.BadRequest(AdminErrors.UnknownRole.With(roleDefinitionId));
        }

        if (scope != TenantScope)
        {
            return GraphResults.BadRequest(RegistrationErrors.RoleScopeUnsupported.With(scope));
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == principalId && u.TenantId == caller.TenantId, http.RequestAborted);
        if (user is null)
        {
            return GraphResults.BadRequest(RegistrationErrors.RolePrincipalNotUser.With(principalId));
        }

        var existing = await db.DirectoryRoleAssignments.AsNoTracking().FirstOrDefaultAsync(
            a => a.TenantId == caller.TenantId && a.PrincipalId == principalId && a.RoleDefinitionId == roleDefinitionId, http.RequestAborted);
        if (existing is not null)
        {
            return GraphResults.Error(StatusCodes.Status409Conflict, RegistrationErrors.RoleAlreadyAssigned.With(existing.Id));
        }

        var assignment = new DirectoryRoleAssignment
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            PrincipalId = principalId,
            RoleDefinitionId = roleDefinitionId,
            CreatedDateTime = time.GetUtcNow(),
        };
        db.DirectoryRoleAssignments.Add(assignment);
        await audit.RecordAsync(caller, Category, "Add member to role", Target(role, user.Id, user.UserName, added: true), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.Json(Assignment(assignment), statusCode: StatusCodes.Status201Created)));
    }

    private static async Task<IResult> UnassignAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var assignment = await db.DirectoryRoleAssignments.FirstOrDefaultAsync(a => a.Id == id && a.TenantId == caller.TenantId, http.RequestAborted);
        if (assignment is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        if (assignment.RoleDefinitionId == AdminRoles.GlobalAdministrator.TemplateId &&
            await AdminRoleHolders.RefuseLosingLastGlobalAdministratorAsync(db, caller, assignment.PrincipalId, http.RequestAborted) is { } refused)
        {
            return refused;
        }

        var userName = await db.Users.AsNoTracking().Where(u => u.Id == assignment.PrincipalId).Select(u => u.UserName).FirstOrDefaultAsync(http.RequestAborted);
        db.DirectoryRoleAssignments.Remove(assignment);
        var role = AdminRoles.Find(assignment.RoleDefinitionId);
        await audit.RecordAsync(caller, Category, "Remove member from role",
            Target(role, assignment.PrincipalId, userName, added: false), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    public static object Definition(AdminRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return new Dictionary<string, object?>
        {
            ["id"] = role.TemplateId,
            ["templateId"] = role.TemplateId,
            ["displayName"] = role.DisplayName,
            ["description"] = role.Description,
            ["isBuiltIn"] = true,
            ["isEnabled"] = true,
            ["rolePermissions"] = new[] { new { allowedResourceActions = role.Permissions, condition = (string?)null } },
        };
    }

    public static object Assignment(DirectoryRoleAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return new Dictionary<string, object?>
        {
            ["id"] = assignment.Id,
            ["principalId"] = assignment.PrincipalId,
            ["roleDefinitionId"] = assignment.RoleDefinitionId,
            ["directoryScopeId"] = TenantScope,
        };
    }

    /// <summary>Entra logs role changes against the user, with the role in the modified properties.</summary>
    private static AuditTarget Target(AdminRole? role, Guid userId, string? userName, bool added)
    {
        var roleName = role?.DisplayName ?? "unknown role";
        return new AuditTarget(userId.ToString(), "User", userName,
            [new ModifiedProperty("Role.DisplayName", added ? null : roleName, added ? roleName : null)]);
    }
}
