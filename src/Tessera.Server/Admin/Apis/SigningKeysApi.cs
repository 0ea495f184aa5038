using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Keys;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Workloads;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Keys;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/signingKeys</c>: the platform's token-signing keys (public facts only: key id, algorithm, when each signs and
/// until when it is published), and <c>POST /signingKeys/rotate</c>, the emergency rollover. The keys are shared by
/// every tenant, so only administrators of the platform's first tenant may use them; the rollover is audited there.
/// </summary>
public static class SigningKeysApi
{
    private const string Category = "KeyManagement";
    public const string RotateActivity = "Rotate signing keys now";

    public static RouteGroupBuilder MapSigningKeys(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/signingKeys", ListAsync).RequirePermission(AdminPermissions.DirectoryReadAll);
        api.MapPost("/signingKeys/rotate", RotateAsync).RequirePermission(AdminPermissions.DirectoryReadWriteAll);
        return api;
    }

    private static Dictionary<string, object?> Resource(SigningKey key, DateTimeOffset now) => new()
    {
        ["kid"] = key.Id,
        ["algorithm"] = key.Algorithm,
        ["activateDateTime"] = key.ActivateDateTime,
        ["deactivateDateTime"] = key.DeactivateDateTime,
        ["retireDateTime"] = key.RetireDateTime,
        ["status"] = key.ActivateDateTime > now ? "next" : key.DeactivateDateTime > now ? "active" : "previous",
    };

    private static async Task<IResult?> PlatformOnlyAsync(HttpContext http, TesseraDbContext db)
    {
        var platform = await db.Tenants.AsNoTracking().OrderBy(t => t.CreatedDateTime).Select(t => t.Id).FirstAsync(http.RequestAborted);
        return http.Caller().TenantId == platform ? null : GraphResults.Forbidden(WorkloadErrors.SigningKeysPlatformOnly);
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db, SigningKeyRing ring, TimeProvider time)
    {
        if (await PlatformOnlyAsync(http, db) is { } denied)
        {
            return denied;
        }

        var now = time.GetUtcNow();
        var keys = await ring.ListAsync(http.RequestAborted);
        return Results.Json(new Dictionary<string, object?> { ["value"] = keys.Select(k => Resource(k, now)).ToList() });
    }

    private static async Task<IResult> RotateAsync(HttpContext http, TesseraDbContext db, SigningKeyRing ring, AuditLog audit, TimeProvider time)
    {
        if (await PlatformOnlyAsync(http, db) is { } denied)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http, allowEmpty: true);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var unknown = body.Json?.Select(p => p.Key).FirstOrDefault(name => name != "retirePreviousAt");
        if (unknown is not null)
        {
            return GraphResults.BadRequest(Tessera.Policy.Registrations.RegistrationErrors.Malformed.With($"'{unknown}' is not a property of a rotation; only retirePreviousAt is."));
        }

        DateTimeOffset? retire = null;
        if (body.Json is not null)
        {
            retire = ApiBodies.OptionalDate(body.Json, "retirePreviousAt", out var dateError);
            if (dateError is not null)
            {
                return GraphResults.BadRequest(dateError);
            }
        }

        // A minute of slack for the caller's clock: "now" as the caller saw it is still now.
        var now = time.GetUtcNow();
        if (retire is { } moment && moment < now - TimeSpan.FromMinutes(1))
        {
            return GraphResults.BadRequest(WorkloadErrors.RetireMomentInPast);
        }

        var (active, previous) = await ring.StageRotationAsync(db, retire, http.RequestAborted);
        await audit.RecordAsync(http.Caller(), Category, RotateActivity,
            new AuditTarget(active.Id, "SigningKey", active.Id,
            [
                new ModifiedProperty("activeKey", string.Join(",", previous.Select(k => k.Id)), active.Id),
                .. previous.Select(k => new ModifiedProperty($"retireDateTime[{k.Id}]", null, k.RetireDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture))),
            ]),
            http.RequestAborted);
        if (!await AdminWrites.SaveAsync(db, () => Task.CompletedTask, http.RequestAborted))
        {
            return GraphResults.Error(StatusCodes.Status409Conflict, AdminErrors.Conflict);
        }

        // This node signs with the new key at once; the others on their next refresh of the ring.
        await ring.RefreshAsync(http.RequestAborted);
        return Results.Json(new Dictionary<string, object?>
        {
            ["active"] = Resource(active, now),
            ["previous"] = previous.Select(k => Resource(k, now)).ToList(),
        });
    }
}
