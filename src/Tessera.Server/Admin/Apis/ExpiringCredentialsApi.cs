using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Workloads;
using Tessera.Server.Admin.Access;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>GET /applications/expiringCredentials?withinDays=30</c>: the client secrets and certificates of the tenant's
/// applications (those the caller may read) that end within the window or have ended, soonest first. Graph has no such
/// query; the shape is Graph-like (<c>value</c>), one row per credential with its application, so that one call
/// answers "what must be replaced this month". The window defaults to the warning window (30 days).
/// </summary>
public static class ExpiringCredentialsApi
{
    public const string Path = "/expiringCredentials";

    /// <summary>Called by <see cref="ApplicationsApi.MapApplications"/> under <c>/applications</c>.</summary>
    public static void Map(RouteGroupBuilder applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        applications.MapGet(Path, ListAsync).RequirePermission(ApplicationsApi.Read);
    }

    private sealed record Row(
        Guid ApplicationId, Guid AppId, string ApplicationDisplayName, string CredentialType, Guid KeyId, string? DisplayName,
        string? Hint, string? Thumbprint, DateTimeOffset StartDateTime, DateTimeOffset EndDateTime);

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db, TimeProvider time)
    {
        var (days, valid) = CredentialExpiry.Window(http.Request.Query["withinDays"]);
        if (!valid || http.Request.Query["withinDays"].Count > 1)
        {
            return GraphResults.BadRequest(WorkloadErrors.ExpiringWindowInvalid);
        }

        var now = time.GetUtcNow();
        var limit = now.AddDays(days);
        var visible = ApplicationsApi.Visible(db, http.Caller()).AsNoTracking();
        var secrets = await db.PasswordCredentials.AsNoTracking()
            .Where(c => c.EndDateTime <= limit)
            .Join(visible, c => c.ApplicationId, a => a.Id, (c, a) => new Row(a.Id, a.AppId, a.DisplayName, "password", c.KeyId, c.DisplayName, c.Hint, null, c.StartDateTime, c.EndDateTime))
            .ToListAsync(http.RequestAborted);
        var certificates = await db.KeyCredentials.AsNoTracking()
            .Where(c => c.EndDateTime <= limit)
            .Join(visible, c => c.ApplicationId, a => a.Id, (c, a) => new Row(a.Id, a.AppId, a.DisplayName, "certificate", c.KeyId, c.DisplayName, null, c.Thumbprint, c.StartDateTime, c.EndDateTime))
            .ToListAsync(http.RequestAborted);

        var value = secrets.Concat(certificates).OrderBy(r => r.EndDateTime).ThenBy(r => r.KeyId).Select(r => new Dictionary<string, object?>
        {
            ["applicationId"] = r.ApplicationId,
            ["appId"] = r.AppId,
            ["applicationDisplayName"] = r.ApplicationDisplayName,
            ["credentialType"] = r.CredentialType,
            ["keyId"] = r.KeyId,
            ["displayName"] = r.DisplayName,
            ["hint"] = r.Hint,
            ["customKeyIdentifier"] = r.Thumbprint,
            ["startDateTime"] = r.StartDateTime,
            ["endDateTime"] = r.EndDateTime,
            ["daysLeft"] = CredentialExpiry.DaysLeft(r.EndDateTime, now),
            ["expired"] = r.EndDateTime <= now,
        });
        return Results.Json(new Dictionary<string, object?> { ["withinDays"] = days, ["value"] = value.ToList() });
    }
}
