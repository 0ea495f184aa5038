using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Tessera.Directory.Protection;
using Tessera.Directory.Sessions;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.SharedSignals;
using Tessera.Policy.SignIns;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Security;
using Tessera.Server.Sessions;
using Tessera.Server.SharedSignals;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/identityProtection/riskyUsers</c>: the users with risk, in Graph's <c>riskyUser</c> shape, and the two actions an
/// administrator takes on them. <c>confirmCompromised</c> raises a user's risk to high (Conditional Access policies with
/// <c>userRiskLevels</c> then act on the user's next sign-in or token refresh); <c>dismiss</c> ends every risk of the
/// user. Both take <c>{"userIds": [...]}</c> and change all the users or none.
/// </summary>
public static class RiskyUsersApi
{
    private const string Path = "/identityProtection/riskyUsers";
    private const string Category = "IdentityProtection";

    /// <summary>Graph takes at most 60 users per action.</summary>
    private const int MaxUsersPerAction = 60;

    private const int MaximumTop = 999;

    public static RouteGroupBuilder MapRiskyUsers(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet(Path, ListAsync).RequirePermission(AdminPermissions.IdentityRiskyUserReadAll);
        api.MapGet(Path + "/{id}", GetAsync).RequirePermission(AdminPermissions.IdentityRiskyUserReadAll);
        api.MapPost(Path + "/confirmCompromised", ConfirmCompromisedAsync).RequirePermission(AdminPermissions.IdentityRiskyUserReadWriteAll);
        api.MapPost(Path + "/dismiss", DismissAsync).RequirePermission(AdminPermissions.IdentityRiskyUserReadWriteAll);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        if (http.Request.Query.Keys.FirstOrDefault(k => k.StartsWith('$') && k != "$top") is { } option)
        {
            return GraphResults.BadRequest(SignInProtectionErrors.RiskyUsersQueryUnsupported.With(option));
        }

        var top = MaximumTop;
        if (http.Request.Query.TryGetValue("$top", out var topText) && (!int.TryParse(topText, out top) || top is < 1 or > MaximumTop))
        {
            return GraphResults.BadRequest(SignInProtectionErrors.RiskyUsersQueryUnsupported.With($"$top={topText}"));
        }

        var tenantId = http.Caller().TenantId;
        var detections = await db.RiskDetections.AsNoTracking().Where(r => r.TenantId == tenantId && r.UserId != null).ToListAsync(http.RequestAborted);
        var userIds = detections.Select(d => d.UserId!.Value).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => u.TenantId == tenantId && userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, http.RequestAborted);
        var risky = detections.GroupBy(d => d.UserId!.Value)
            .Select(g => (Detections: g.Select(Risk).ToList(), User: users.GetValueOrDefault(g.Key), Id: g.Key, Upn: g.First().UserPrincipalName))
            .OrderByDescending(u => UserRisk.Level(u.Detections))
            .ThenByDescending(u => u.Detections.Max(d => d.LastUpdated))
            .Select(u => Resource(u.Id, u.User, u.Upn, u.Detections))
            .Take(top)
            .ToList();
        return Results.Json(new Dictionary<string, object?>
        {
            ["@odata.context"] = GraphLinks.Context(http.Request, "identityProtection/riskyUsers"),
            ["value"] = risky,
        });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
    {
        var tenantId = http.Caller().TenantId;
        var user = await UsersApi.Find(db.Users.AsNoTracking(), users, tenantId, id).FirstOrDefaultAsync(http.RequestAborted);
        if (user is null)
        {
            return GraphResults.NotFound(id);
        }

        var detections = await db.RiskDetections.AsNoTracking().Where(r => r.TenantId == tenantId && r.UserId == user.Id).ToListAsync(http.RequestAborted);
        return Results.Json(Resource(user.Id, user, user.UserName, [.. detections.Select(Risk)]));
    }

    /// <summary>
    /// A compromised account is also ended where it is signed in: its sessions and refresh tokens, and, through a
    /// session-revoked event, its access tokens at every API that listens (CAE).
    /// </summary>
    private static Task<IResult> ConfirmCompromisedAsync(
        HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time, SignInSessionStore sessions, SecurityEventOutbox signals,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens)
        => ChangeAsync(http, db, audit, "Confirm user compromised", async (user, now) =>
        {
            await sessions.EndAllTrackedAsync(user.Id, SessionEndReasons.UserRiskHigh, http.RequestAborted);
            await signals.QueueAsync(user.TenantId, DirectoryChangeKind.UserRiskHigh, user.Id, InitiatingEntities.Admin, http.RequestAborted);
            db.RiskDetections.Add(new RiskDetection
            {
                Id = Guid.CreateVersion7(now),
                TenantId = user.TenantId,
                UserId = user.Id,
                UserPrincipalName = user.UserName,
                RiskEventType = RiskEventTypes.AdminConfirmedUserCompromised,
                RiskLevel = RiskLevels.High,
                RiskState = RiskStates.ConfirmedCompromised,
                Activity = "user",
                IpAddress = "",
                SourcePrefix = "",
                DetectedDateTime = now,
                LastUpdatedDateTime = now,
                AdditionalInfo = "An administrator confirmed that the user is compromised.",
            });
            return new ModifiedProperty("riskLevel", null, RiskLevels.High);
        }, time, async users =>
        {
            foreach (var user in users)
            {
                await SignInSessions.RevokeAsync(user.Id, authorizations, tokens, http.RequestAborted);
            }
        });

    private static Task<IResult> DismissAsync(HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
        => ChangeAsync(http, db, audit, "Dismiss user risk", async (user, now) =>
        {
            var active = await db.RiskDetections
                .Where(r => r.TenantId == user.TenantId && r.UserId == user.Id && RiskStates.Active.Contains(r.RiskState))
                .ToListAsync(http.RequestAborted);
            var before = UserRisk.Level(active.Select(Risk));
            foreach (var detection in active)
            {
                detection.RiskState = RiskStates.Dismissed;
                detection.LastUpdatedDateTime = now;
            }

            return new ModifiedProperty("riskLevel", ConditionalAccessDocuments.RiskName(before), ConditionalAccessDocuments.RiskName(RiskLevel.None));
        }, time);

    /// <summary>Reads <c>userIds</c>, checks every user exists, applies <paramref name="change"/> to each with its audit entry, saves once.</summary>
    private static async Task<IResult> ChangeAsync(
        HttpContext http, TesseraDbContext db, AuditLog audit, string activity, Func<DirectoryUser, DateTimeOffset, Task<ModifiedProperty>> change, TimeProvider time,
        Func<IReadOnlyList<DirectoryUser>, Task>? afterSave = null)
    {
        var (json, error) = await ApiBodies.ReadObjectAsync(http);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var ids = UserIds(json!);
        if (ids is null)
        {
            return GraphResults.BadRequest(SignInProtectionErrors.RiskyUserIdsShape.With(MaxUsersPerAction));
        }

        var caller = http.Caller();
        var users = await db.Users.Where(u => u.TenantId == caller.TenantId && ids.Contains(u.Id)).ToListAsync(http.RequestAborted);
        if (ids.FirstOrDefault(id => !users.Exists(u => u.Id == id)) is var missing && missing != Guid.Empty)
        {
            return GraphResults.Error(StatusCodes.Status404NotFound, SignInProtectionErrors.RiskyUserUnknown.With(missing.ToString("D")));
        }

        var now = time.GetUtcNow();
        foreach (var user in users)
        {
            var modified = await change(user, now);
            await audit.RecordAsync(caller, Category, activity, new AuditTarget(user.Id.ToString("D"), "User", user.UserName, [modified]), http.RequestAborted);
        }

        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            if (afterSave is not null)
            {
                await afterSave(users);
            }

            return Results.NoContent();
        });
    }

    /// <summary>The distinct user ids of <c>userIds</c>, or null when it is missing, empty, too long or not all GUIDs.</summary>
    private static List<Guid>? UserIds(JsonObject json)
    {
        if (json.Count != 1 || json["userIds"] is not JsonArray array || array.Count is 0 or > MaxUsersPerAction)
        {
            return null;
        }

        var ids = new List<Guid>();
        foreach (var item in array)
        {
            if (!Guid.TryParse(ApiBodies.Text(item), out var id) || id == Guid.Empty)
            {
                return null;
            }

            ids.Add(id);
        }

        return [.. ids.Distinct()];
    }

    private static DetectedRisk Risk(RiskDetection detection)
        => new(detection.RiskLevel, detection.RiskState, detection.RiskEventType, detection.LastUpdatedDateTime);

    private static Dictionary<string, object?> Resource(Guid id, DirectoryUser? user, string? userPrincipalName, List<DetectedRisk> detections)
        => new()
        {
            ["id"] = id.ToString("D"),
            ["isDeleted"] = user is null,
            ["isProcessing"] = false,
            ["riskLastUpdatedDateTime"] = detections.Count == 0 ? null : detections.Max(d => d.LastUpdated),
            ["riskLevel"] = ConditionalAccessDocuments.RiskName(UserRisk.Level(detections)),
            ["riskState"] = UserRisk.State(detections),
            ["riskDetail"] = UserRisk.Detail(detections),
            ["userDisplayName"] = user?.DisplayName,
            ["userPrincipalName"] = user?.UserName ?? userPrincipalName,
        };
}
