using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Groups;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/groups</c>: security groups and their members (Graph's shapes and <c>$ref</c> links). Members are users of the
/// same tenant; adding a member twice changes nothing.
/// </summary>
public static class GroupsApi
{
    private const string Category = "GroupManagement";
    private static readonly string[] ReadOnly = ["id", "createdDateTime"];

    /// <summary>The group properties <c>$filter</c> takes; also used for a user's <c>memberOf</c>.</summary>
    public static readonly IReadOnlyDictionary<string, Expression<Func<Group, object?>>> Filterable = new Dictionary<string, Expression<Func<Group, object?>>>(StringComparer.Ordinal)
    {
        ["id"] = g => g.Id,
        ["displayName"] = g => g.DisplayName,
        ["mailNickname"] = g => g.MailNickname,
        ["securityEnabled"] = g => g.SecurityEnabled,
    };

    public static RouteGroupBuilder MapGroups(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups");
        groups.MapGet("/", ListAsync).RequirePermission(AdminPermissions.GroupReadAll);
        groups.MapPost("/", CreateAsync).RequirePermission(AdminPermissions.GroupReadWriteAll);
        groups.MapGet("/{id:guid}", GetAsync).RequirePermission(AdminPermissions.GroupReadAll);
        groups.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(AdminPermissions.GroupReadWriteAll);
        groups.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(AdminPermissions.GroupReadWriteAll);
        groups.MapGet("/{id:guid}/members", ListMembersAsync).RequirePermission(AdminPermissions.GroupReadAll);
        groups.MapPost("/{id:guid}/members/$ref", AddMemberAsync).RequirePermission(AdminPermissions.GroupReadWriteAll);
        groups.MapDelete("/{id:guid}/members/{memberId:guid}/$ref", RemoveMemberAsync).RequirePermission(AdminPermissions.GroupReadWriteAll);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<Group>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.Groups.AsNoTracking().Where(g => g.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, g => g.Id, Resource, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == id && g.TenantId == http.Caller().TenantId, http.RequestAborted);
        if (group is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        http.Response.Headers.ETag = GraphResults.ETag(group.ConcurrencyStamp);
        return Results.Json(Resource(group));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var group = new Group { Id = Guid.NewGuid(), TenantId = caller.TenantId, DisplayName = string.Empty, CreatedDateTime = time.GetUtcNow() };
        var (modified, error) = Apply(group, body.Json!, creating: true);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        db.Groups.Add(group);
        await audit.RecordAsync(caller, Category, "Add group", new AuditTarget(group.Id.ToString(), "Group", group.DisplayName, modified), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () =>
        {
            http.Response.Headers.ETag = GraphResults.ETag(group.ConcurrencyStamp);
            return Task.FromResult(Results.Json(Resource(group), statusCode: StatusCodes.Status201Created));
        });
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (group, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var (modified, error) = Apply(group!, body.Json!, creating: false);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        group!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Update group", new AuditTarget(group.Id.ToString(), "Group", group.DisplayName, modified), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (group, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        // Members go with it (cascade). Its app role assignments have no foreign key: removed here, each audited, in the
        // same save, so that an API's list of assignees never names a group that is gone.
        db.Groups.Remove(group!);
        await AppRoleAssignmentsApi.RemoveAllOfPrincipalAsync(db, audit, caller, group!.Id, AppRoleAssignment.GroupPrincipalType, group.DisplayName, http.RequestAborted);
        await audit.RecordAsync(caller, Category, "Delete group", new AuditTarget(group.Id.ToString(), "Group", group.DisplayName), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> ListMembersAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        if (!await db.Groups.AnyAsync(g => g.Id == id && g.TenantId == tenantId, http.RequestAborted))
        {
            return GraphResults.NotFound(id.ToString());
        }

        var (query, error) = GraphQuery<DirectoryUser>.Parse(http.Request, UsersApi.Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var members = db.Users.AsNoTracking()
            .Where(u => u.TenantId == tenantId && db.GroupMembers.Any(m => m.GroupId == id && m.MemberId == u.Id));
        return await query!.RespondAsync(http.Request, members, u => u.Id, UserResource.AsDirectoryObject, http.RequestAborted);
    }

    private static async Task<IResult> AddMemberAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (group, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        // Graph sends {"@odata.id": "https://.../directoryObjects/{id}"}.
        var reference = ApiBodies.OptionalString(body.Json!, "@odata.id", 2048, out var referenceError);
        if (referenceError is not null || !Guid.TryParse(reference?.TrimEnd('/').Split('/').Last(), out var memberId))
        {
            return GraphResults.BadRequest(referenceError ?? RegistrationErrors.Malformed.With("@odata.id must name a user by id (…/directoryObjects/{id})."));
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == memberId && u.TenantId == caller.TenantId, http.RequestAborted);
        if (user is null)
        {
            return await db.Groups.AnyAsync(g => g.Id == memberId && g.TenantId == caller.TenantId, http.RequestAborted)
                ? GraphResults.BadRequest(RegistrationErrors.MemberNotUser.With(memberId))
                : GraphResults.NotFound(memberId.ToString());
        }

        if (await db.GroupMembers.AnyAsync(m => m.GroupId == id && m.MemberId == memberId, http.RequestAborted))
        {
            return Results.NoContent();
        }

        db.GroupMembers.Add(new GroupMember { GroupId = id, MemberId = memberId });
        group!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Add member to group", new AuditTarget(group.Id.ToString(), "Group", group.DisplayName,
            [new ModifiedProperty("members", null, JsonSerializer.Serialize(new { id = user.Id, userPrincipalName = user.UserName }))]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> RemoveMemberAsync(Guid id, Guid memberId, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (group, denied) = await LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var member = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == id && m.MemberId == memberId, http.RequestAborted);
        if (member is null)
        {
            return GraphResults.NotFound(memberId.ToString());
        }

        db.GroupMembers.Remove(member);
        group!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Remove member from group", new AuditTarget(group.Id.ToString(), "Group", group.DisplayName,
            [new ModifiedProperty("members", JsonSerializer.Serialize(new { id = memberId }), null)]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    /// <summary>A group as the admin API shows it: Microsoft Graph's <c>group</c> resource (security groups only).</summary>
    public static object Resource(Group group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return new Dictionary<string, object?>
        {
            ["id"] = group.Id,
            ["displayName"] = group.DisplayName,
            ["description"] = group.Description,
            ["mailNickname"] = group.MailNickname,
            ["mailEnabled"] = false,
            ["securityEnabled"] = group.SecurityEnabled,
            ["groupTypes"] = Array.Empty<string>(),
            ["createdDateTime"] = group.CreatedDateTime,
            ["@odata.etag"] = GraphResults.ETag(group.ConcurrencyStamp),
        };
    }

    /// <summary>The group as an item of a user's <c>memberOf</c> (a collection of directory objects).</summary>
    public static object AsDirectoryObject(Group group)
    {
        var resource = (Dictionary<string, object?>)Resource(group);
        resource.Remove("@odata.etag");
        resource["@odata.type"] = "#microsoft.graph.group";
        return resource;
    }

    /// <summary>Applies a Graph <c>group</c> body: only the properties present change; the first broken rule stops it all.</summary>
    private static (List<ModifiedProperty> Modified, TesseraError? Error) Apply(Group group, JsonObject body, bool creating)
    {
        var modified = new List<ModifiedProperty>();
        var readOnly = ReadOnly.FirstOrDefault(body.ContainsKey);
        if (readOnly is not null)
        {
            return ([], RegistrationErrors.ReadOnlyProperty.With(readOnly));
        }

        var mailEnabled = ApiBodies.OptionalBool(body, "mailEnabled", out var error);
        var groupTypes = error is null ? ApiBodies.OptionalStrings(body, "groupTypes", out error) : null;
        var displayName = error is null ? ApiBodies.OptionalString(body, "displayName", 256, out error) : null;
        var description = error is null ? ApiBodies.OptionalString(body, "description", 1024, out error) : null;
        var mailNickname = error is null ? ApiBodies.OptionalString(body, "mailNickname", 64, out error) : null;
        var securityEnabled = error is null ? ApiBodies.OptionalBool(body, "securityEnabled", out error) : null;
        if (error is not null)
        {
            return ([], error);
        }

        if (mailEnabled == true || groupTypes is { Count: > 0 })
        {
            return ([], RegistrationErrors.GroupTypeUnsupported);
        }

        if ((displayName is not null || creating) && string.IsNullOrWhiteSpace(displayName))
        {
            return ([], RegistrationErrors.DisplayNameRequired);
        }

        if (mailNickname is not null && (mailNickname.Length == 0 || !mailNickname.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            return ([], RegistrationErrors.MailNicknameInvalid.With(mailNickname));
        }

        if (displayName is not null)
        {
            ModifiedProperty.Track(modified, "displayName", creating ? null : group.DisplayName, displayName.Trim());
            group.DisplayName = displayName.Trim();
        }

        if (description is not null)
        {
            ModifiedProperty.Track(modified, "description", group.Description, description);
            group.Description = description;
        }

        if (mailNickname is not null)
        {
            ModifiedProperty.Track(modified, "mailNickname", group.MailNickname, mailNickname);
            group.MailNickname = mailNickname;
        }

        if (securityEnabled is { } enabled)
        {
            ModifiedProperty.Track(modified, "securityEnabled", creating ? null : group.SecurityEnabled.ToString(), enabled.ToString());
            group.SecurityEnabled = enabled;
        }

        return (modified, null);
    }

    /// <summary>Loads a group for a change: tracked, in the caller's tenant, and still the version If-Match names.</summary>
    private static async Task<(Group? Group, IResult? Denied)> LoadForWriteAsync(TesseraDbContext db, AdminCaller caller, Guid id, HttpContext http)
    {
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == id && g.TenantId == caller.TenantId, http.RequestAborted);
        if (group is null)
        {
            return (null, GraphResults.NotFound(id.ToString()));
        }

        return GraphResults.IfMatchAllows(http.Request, group.ConcurrencyStamp)
            ? (group, null)
            : (null, GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed));
    }

}
