using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Protection;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/identityProtection/riskDetections</c>: what Tessera detected (today: password sprays against the sign-in page),
/// newest first, in Graph's <c>riskDetection</c> shape, with <c>$filter</c> and <c>$top</c> as the other lists take them.
/// </summary>
public static class RiskDetectionsApi
{
    private static readonly Dictionary<string, Expression<Func<RiskDetection, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = r => r.Id,
        ["riskEventType"] = r => r.RiskEventType,
        ["riskLevel"] = r => r.RiskLevel,
        ["riskState"] = r => r.RiskState,
        ["ipAddress"] = r => r.IpAddress,
        ["activity"] = r => r.Activity,
    };

    public static RouteGroupBuilder MapRiskDetections(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/identityProtection/riskDetections", ListAsync).RequirePermission(AdminPermissions.IdentityRiskEventReadAll);
        api.MapGet("/identityProtection/riskDetections/{id}", GetAsync).RequirePermission(AdminPermissions.IdentityRiskEventReadAll);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<RiskDetection>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var detections = db.RiskDetections.AsNoTracking().Where(r => r.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, detections,
            newestFirst => newestFirst.OrderByDescending(r => r.DetectedDateTime).ThenByDescending(r => r.Id), Resource, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        var detection = Guid.TryParse(id, out var riskId)
            ? await db.RiskDetections.AsNoTracking().FirstOrDefaultAsync(r => r.Id == riskId && r.TenantId == tenantId, http.RequestAborted)
            : null;
        return detection is null ? GraphResults.NotFound(id) : Results.Json(Resource(detection));
    }

    public static object Resource(RiskDetection detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        return new Dictionary<string, object?>
        {
            ["id"] = detection.Id.ToString("D"),
            ["riskEventType"] = detection.RiskEventType,
            ["riskLevel"] = detection.RiskLevel,
            ["riskState"] = detection.RiskState,
            ["riskDetail"] = "none",
            ["source"] = "Tessera",
            ["detectionTimingType"] = "realtime",
            ["activity"] = detection.Activity,
            ["tokenIssuerType"] = "AzureAD",
            ["ipAddress"] = detection.IpAddress,
            ["activityDateTime"] = detection.DetectedDateTime,
            ["detectedDateTime"] = detection.DetectedDateTime,
            ["lastUpdatedDateTime"] = detection.LastUpdatedDateTime,
            ["additionalInfo"] = detection.AdditionalInfo,
            ["targetedAccountsCount"] = detection.TargetedAccounts,
            ["sourcePrefix"] = detection.SourcePrefix,
        };
    }
}
