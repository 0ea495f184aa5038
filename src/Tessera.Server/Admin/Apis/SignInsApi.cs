using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Audit;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/auditLogs/signIns</c>: the tenant's sign-in attempts, newest first, in Graph's <c>signIn</c> shape (with beta's
/// <c>signInEventTypes</c>, <c>userAgent</c> and <c>authenticationMethodsUsed</c>). Tessera adds <c>result</c>
/// (<c>success</c> or <c>failure</c>, as on directory audits) because its <c>$filter</c> has no <c>ne</c> for
/// <c>status/errorCode ne 0</c>. Time windows: <c>createdDateTime ge 2026-11-01T00:00:00Z and createdDateTime lt ...</c>.
/// </summary>
public static class SignInsApi
{
    private static readonly Dictionary<string, Expression<Func<SignInEvent, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = e => e.Id,
        ["userId"] = e => e.UserId,
        ["userPrincipalName"] = e => e.UserPrincipalName,
        ["appId"] = e => e.AppId,
        ["ipAddress"] = e => e.IpAddress,
        ["signInEventType"] = e => e.SignInEventType,
        ["isInteractive"] = e => e.IsInteractive,
        ["correlationId"] = e => e.CorrelationId,
        ["result"] = e => e.ErrorCode == 0 ? "success" : "failure",
        ["status/errorCode"] = e => e.ErrorCode,
        ["createdDateTime"] = e => e.CreatedDateTime,
        ["clientAppUsed"] = e => e.ClientAppUsed,
    };

    public static RouteGroupBuilder MapSignIns(this RouteGroupBuilder api)
    {
        api.MapGet("/auditLogs/signIns", ListAsync).RequirePermission(AdminPermissions.AuditLogReadAll);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<SignInEvent>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var signIns = db.SignInEvents.AsNoTracking().Where(e => e.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, signIns,
            newestFirst => newestFirst.OrderByDescending(e => e.CreatedDateTime).ThenByDescending(e => e.Id), Resource, http.RequestAborted);
    }

    public static object Resource(SignInEvent signIn)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        return new Dictionary<string, object?>
        {
            ["id"] = signIn.Id,
            ["createdDateTime"] = signIn.CreatedDateTime,
            ["userId"] = signIn.UserId,
            ["userPrincipalName"] = signIn.UserPrincipalName,
            ["userDisplayName"] = signIn.UserDisplayName,
            ["appId"] = signIn.AppId == Guid.Empty ? null : signIn.AppId.ToString("D"),
            ["appDisplayName"] = signIn.AppDisplayName,
            ["resourceId"] = signIn.ResourceId,
            ["ipAddress"] = signIn.IpAddress,
            ["userAgent"] = signIn.UserAgent,
            ["clientAppUsed"] = signIn.ClientAppUsed,
            ["isInteractive"] = signIn.IsInteractive,
            ["signInEventTypes"] = new[] { signIn.SignInEventType },
            ["authenticationMethodsUsed"] = new[] { signIn.AuthenticationMethods },
            ["correlationId"] = signIn.CorrelationId,
            ["appliedConditionalAccessPolicies"] = signIn.AppliedConditionalAccessPolicies is { } applied
                ? System.Text.Json.Nodes.JsonNode.Parse(applied)
                : new System.Text.Json.Nodes.JsonArray(),
            ["status"] = new Dictionary<string, object?>
            {
                ["errorCode"] = signIn.ErrorCode,
                ["failureReason"] = signIn.FailureReason,
                ["additionalDetails"] = null,
            },
            ["result"] = signIn.ErrorCode == 0 ? "success" : "failure",
        };
    }
}
