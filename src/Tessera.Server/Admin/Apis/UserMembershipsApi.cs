using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Groups;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// The groups a user is in, as Graph reads them: <c>memberOf</c> (the groups), and the actions <c>getMemberObjects</c>
/// and <c>getMemberGroups</c> (their ids). <c>getMemberObjects</c> is where a token with too many groups points
/// (<see cref="Protocol.Tokens.GroupLookup.MemberObjectsEndpoint"/>). Groups hold users only, never groups, so direct
/// membership is all of it; Tessera has no directory role or administrative unit objects, so the ids are group ids.
/// As in Graph, reading another user's groups needs a user permission and a group permission together.
/// </summary>
public static class UserMembershipsApi
{
    private const string SecurityEnabledOnly = "securityEnabledOnly";

    private static readonly string[] ReadMemberships = [AdminPermissions.UserReadAll, AdminPermissions.GroupReadAll];

    /// <summary>Called by <see cref="UsersApi.MapUsers"/> with its <c>/users</c> group.</summary>
    public static void Map(RouteGroupBuilder users)
    {
        ArgumentNullException.ThrowIfNull(users);
        users.MapGet("/{id}/memberOf", ListMemberOfAsync).RequireAllPermissions(ReadMemberships);
        users.MapPost("/{id}/getMemberObjects", GetMemberObjectsAsync).RequireAllPermissions(ReadMemberships);
        users.MapPost("/{id}/getMemberGroups", GetMemberGroupsAsync).RequireAllPermissions(ReadMemberships);
    }

    private static async Task<IResult> ListMemberOfAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
    {
        var tenantId = http.Caller().TenantId;
        var userId = await FindUserAsync(db, users, tenantId, id, http.RequestAborted);
        if (userId is null)
        {
            return GraphResults.NotFound(id);
        }

        var (query, error) = GraphQuery<Group>.Parse(http.Request, GroupsApi.Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        return await query!.RespondAsync(http.Request, GroupsOf(db, tenantId, userId.Value), g => g.Id, GroupsApi.AsDirectoryObject, http.RequestAborted);
    }

    private static Task<IResult> GetMemberObjectsAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
        => GroupIdsAsync("getMemberObjects", id, http, db, users);

    private static Task<IResult> GetMemberGroupsAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
        => GroupIdsAsync("getMemberGroups", id, http, db, users);

    /// <summary>Both actions: every group of the user, or its security groups only, as a collection of ids.</summary>
    private static async Task<IResult> GroupIdsAsync(string action, string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
    {
        var (securityEnabledOnly, error) = await ReadBodyAsync(http, action);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var tenantId = http.Caller().TenantId;
        var userId = await FindUserAsync(db, users, tenantId, id, http.RequestAborted);
        if (userId is null)
        {
            return GraphResults.NotFound(id);
        }

        var groups = GroupsOf(db, tenantId, userId.Value);
        if (securityEnabledOnly)
        {
            groups = groups.Where(g => g.SecurityEnabled);
        }

        var ids = await groups.Select(g => g.Id).OrderBy(g => g).ToListAsync(http.RequestAborted);

        // Formatted here, not in SQL: SQLite would spell GUIDs in upper case.
        return Results.Json(new Dictionary<string, object?>
        {
            ["@odata.context"] = GraphLinks.Context(http.Request, "Collection(Edm.String)"),
            ["value"] = ids.Select(g => g.ToString("D")).ToList(),
        });
    }

    /// <summary>
    /// <c>{"securityEnabledOnly": true|false}</c>, required as in Graph; anything else in the body is refused, so that a
    /// misspelt parameter is not silently read as "all groups".
    /// </summary>
    private static async Task<(bool SecurityEnabledOnly, TesseraError? Error)> ReadBodyAsync(HttpContext http, string action)
    {
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return (false, body.Error);
        }

        var unknown = body.Json!.Select(p => p.Key).FirstOrDefault(name => !string.Equals(name, SecurityEnabledOnly, StringComparison.Ordinal));
        if (unknown is not null)
        {
            return (false, RegistrationErrors.Malformed.With(
                $"'{unknown}' is not a parameter of {action}; send only {SecurityEnabledOnly} (true for security groups only, false for all groups)."));
        }

        var value = ApiBodies.OptionalBool(body.Json!, SecurityEnabledOnly, out var error);
        return error is not null ? (false, error)
            : value is null ? (false, RegistrationErrors.PropertyRequired.With(SecurityEnabledOnly))
            : (value.Value, null);
    }

    /// <summary>The user's object id, the user named by object id or user principal name as on every <c>/users/{id}</c>.</summary>
    private static Task<Guid?> FindUserAsync(TesseraDbContext db, UserManager<DirectoryUser> users, Guid tenantId, string id, CancellationToken cancellationToken)
        => UsersApi.Find(db.Users.AsNoTracking(), users, tenantId, id).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);

    private static IQueryable<Group> GroupsOf(TesseraDbContext db, Guid tenantId, Guid userId)
        => db.Groups.AsNoTracking().Where(g => g.TenantId == tenantId && db.GroupMembers.Any(m => m.GroupId == g.Id && m.MemberId == userId));
}
