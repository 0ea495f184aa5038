using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Sessions;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Sessions;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Sessions;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/users/{id}/signInSessions</c>: a user's browser sign-in sessions that are in force (Tessera's own resource; Graph
/// only has <c>revokeSignInSessions</c>, which ends them all). Ending one signs that browser out at its next request,
/// and the refresh tokens issued in it fail at their next use. Same permissions as the user's other properties.
/// </summary>
public static class SignInSessionsApi
{
    private const string Category = "UserManagement";

    /// <summary>Called by <see cref="UsersApi.MapUsers"/> with its <c>/users</c> group.</summary>
    public static void Map(RouteGroupBuilder users)
    {
        ArgumentNullException.ThrowIfNull(users);
        users.MapGet("/{id}/signInSessions", ListAsync).RequirePermission(AdminPermissions.UserReadAll);
        users.MapDelete("/{id}/signInSessions/{sessionId}", EndAsync).RequirePermission(AdminPermissions.UserReadWriteAll);
    }

    private static async Task<IResult> ListAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, SignInSessionStore sessions)
    {
        var tenantId = http.Caller().TenantId;
        var userId = await UsersApi.Find(db.Users.AsNoTracking(), users, tenantId, id).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(http.RequestAborted);
        if (userId is null)
        {
            return GraphResults.NotFound(id);
        }

        var active = await sessions.ActiveAsync(tenantId, userId.Value, http.RequestAborted);
        return Results.Json(new Dictionary<string, object?>
        {
            ["@odata.context"] = GraphLinks.Context(http.Request, $"users('{userId:D}')/signInSessions"),
            ["value"] = active.Select(Resource).ToList(),
        });
    }

    private static async Task<IResult> EndAsync(
        string id, string sessionId, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, SignInSessionStore sessions, AuditLog audit)
    {
        var caller = http.Caller();
        var user = await UsersApi.Find(db.Users.AsNoTracking(), users, caller.TenantId, id).FirstOrDefaultAsync(http.RequestAborted);
        if (user is null)
        {
            return GraphResults.NotFound(id);
        }

        if (!Guid.TryParse(sessionId, out var session))
        {
            return GraphResults.BadRequest(SessionErrors.SessionIdInvalid.With(sessionId));
        }

        // Another user's session, another tenant's, or one already ended: not found, and nothing changes.
        var ended = await sessions.EndTrackedAsync(caller.TenantId, user.Id, session, SessionEndReasons.EndedByAdministrator, http.RequestAborted);
        if (ended is null)
        {
            return GraphResults.Error(StatusCodes.Status404NotFound, SessionErrors.SessionNotFound.With(sessionId));
        }

        await audit.RecordAsync(caller, Category, "End user sign-in session", new AuditTarget(user.Id.ToString(), "User", user.UserName,
            [new ModifiedProperty("signInSession", ended.Id.ToString("D"), null)]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    public static object Resource(SignInSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new Dictionary<string, object?>
        {
            ["id"] = session.Id,
            ["createdDateTime"] = session.CreatedDateTime,
            ["lastActivityDateTime"] = session.LastActivityDateTime,
            ["expirationDateTime"] = session.ExpiresDateTime,
            ["ipAddress"] = session.IpAddress,
            ["userAgent"] = session.UserAgent,
            ["browser"] = BrowserDescription.Of(session.UserAgent),
            ["authenticationMethods"] = session.AuthenticationMethods.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        };
    }
}
