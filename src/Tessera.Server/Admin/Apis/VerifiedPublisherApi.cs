using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/applications/{id}/setVerifiedPublisher</c> and <c>unsetVerifiedPublisher</c> (Graph's actions). Under the
/// default consent policy users may consent only to applications of verified publishers (or of their own
/// organisation), so verifying is an administrator's statement: it needs <c>Application.ReadWrite.All</c> (an owner
/// with <c>Application.ReadWrite.OwnedBy</c> cannot vouch for their own application), and who made it and when is kept
/// on the application and in the audit log.
/// </summary>
public static class VerifiedPublisherApi
{
    private const string Category = "ApplicationManagement";

    public static RouteGroupBuilder MapVerifiedPublisher(this RouteGroupBuilder api)
    {
        api.MapPost("/applications/{id:guid}/setVerifiedPublisher", SetAsync).RequirePermission(AdminPermissions.ApplicationReadWriteAll);
        api.MapPost("/applications/{id:guid}/unsetVerifiedPublisher", UnsetAsync).RequirePermission(AdminPermissions.ApplicationReadWriteAll);
        return api;
    }

    private static async Task<IResult> SetAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var (app, denied) = await ApplicationsApi.LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var publisherId = ApiBodies.OptionalString(body.Json!, "verifiedPublisherId", 1024, out var error);
        var name = error is null ? ApiBodies.OptionalString(body.Json!, "displayName", 1024, out error) : null;
        error ??= ConsentSettingsRules.PublisherId(publisherId) ?? (name is null ? null : ConsentSettingsRules.PublisherName(name));
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        // Graph takes the name from the partner network; here the organisation vouches, so its name is the default.
        var displayName = name?.Trim() ?? await db.Tenants.AsNoTracking().Where(t => t.Id == caller.TenantId).Select(t => t.DisplayName).FirstAsync(http.RequestAborted);
        var before = Describe(app!.VerifiedPublisher);
        app.VerifiedPublisher = new VerifiedPublisher
        {
            DisplayName = displayName,
            VerifiedPublisherId = publisherId!.Trim(),
            AddedDateTime = time.GetUtcNow(),
            AddedById = caller.ObjectId,
        };
        app.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Set verified publisher", new AuditTarget(app.Id.ToString(), "Application", app.DisplayName,
            [new ModifiedProperty("verifiedPublisher", before, Describe(app.VerifiedPublisher))]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> UnsetAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, denied) = await ApplicationsApi.LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        if (app!.VerifiedPublisher is null)
        {
            return Results.NoContent();
        }

        var before = Describe(app.VerifiedPublisher);
        app.VerifiedPublisher = null;
        app.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, "Unset verified publisher", new AuditTarget(app.Id.ToString(), "Application", app.DisplayName,
            [new ModifiedProperty("verifiedPublisher", before, null)]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static string? Describe(VerifiedPublisher? publisher)
        => publisher is null
            ? null
            : JsonSerializer.Serialize(new
            {
                displayName = publisher.DisplayName,
                verifiedPublisherId = publisher.VerifiedPublisherId,
                addedDateTime = publisher.AddedDateTime,
                addedBy = publisher.AddedById,
            });
}
