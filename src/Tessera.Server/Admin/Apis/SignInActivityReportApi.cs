using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/reports/servicePrincipalSignInActivities</c> (Graph's report of the same name): when each application last got a
/// token, from the sign-in log, as a client for people (<c>delegatedClientSignInActivity</c>) and as itself
/// (<c>applicationAuthenticationClientSignInActivity</c>), and, Tessera's addition, for which APIs
/// (<c>resourceSignInActivities</c>). What <c>tessera assess</c> reads to find dormant apps and unused permissions.
/// Only successful sign-ins count; the log's retention bounds how far back it sees.
/// </summary>
public static class SignInActivityReportApi
{
    public static RouteGroupBuilder MapSignInActivityReport(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/reports/servicePrincipalSignInActivities", ListAsync).RequirePermission(AdminPermissions.AuditLogReadAll);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        var rows = await db.SignInEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.ErrorCode == 0)
            .GroupBy(e => new { e.AppId, e.ResourceId, AsItself = e.UserId == null })
            .Select(g => new { g.Key.AppId, g.Key.ResourceId, g.Key.AsItself, Last = g.Max(e => e.CreatedDateTime) })
            .ToListAsync(http.RequestAborted);
        var value = rows.GroupBy(r => r.AppId).OrderBy(g => g.Key).Select(app => new Dictionary<string, object?>
        {
            ["id"] = app.Key.ToString("D"),
            ["appId"] = app.Key.ToString("D"),
            ["lastSignInActivity"] = Activity(app.Max(r => r.Last)),
            ["delegatedClientSignInActivity"] = Activity(app.Where(r => !r.AsItself).Select(r => (DateTimeOffset?)r.Last).Max()),
            ["applicationAuthenticationClientSignInActivity"] = Activity(app.Where(r => r.AsItself).Select(r => (DateTimeOffset?)r.Last).Max()),
            ["resourceSignInActivities"] = app.Where(r => r.ResourceId is not null).GroupBy(r => r.ResourceId!.Value).OrderBy(r => r.Key)
                .Select(r => new Dictionary<string, object?> { ["resourceAppId"] = r.Key.ToString("D"), ["lastSignInDateTime"] = r.Max(x => x.Last) })
                .ToList(),
        }).ToList();
        return Results.Json(new Dictionary<string, object?>
        {
            ["@odata.context"] = GraphLinks.Context(http.Request, "reports/servicePrincipalSignInActivities"),
            ["value"] = value,
        });
    }

    private static Dictionary<string, object?>? Activity(DateTimeOffset? last)
        => last is null ? null : new Dictionary<string, object?> { ["lastSignInDateTime"] = last };
}
