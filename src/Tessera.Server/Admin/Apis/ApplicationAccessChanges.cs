using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// The part of a Graph <c>application</c> body (POST or PATCH) that says what the application's tokens may carry:
/// <c>requiredResourceAccess</c> (the permissions it needs on the tenant's APIs: what <c>/.default</c> and admin
/// consent grant) and <c>groupMembershipClaims</c>. Part of <see cref="ApplicationChanges"/>: only the properties
/// present change, and a broken rule stops the whole change.
/// </summary>
public static class ApplicationAccessChanges
{
    private const string Required = "requiredResourceAccess";
    private const string GroupClaims = "groupMembershipClaims";

    public static async Task<TesseraError?> ApplyAsync(TesseraDbContext db, Application app, JsonObject body, List<ModifiedProperty> modified, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(modified);

        // Graph's "not set" is null, which means None.
        if (body.TryGetPropertyValue(GroupClaims, out var claimsNode))
        {
            if (claimsNode is not null && ApiBodies.Text(claimsNode) is null)
            {
                return RegistrationErrors.GroupMembershipClaimsUnknown.With(claimsNode.ToJsonString());
            }

            var (claims, claimsError) = GroupMembershipClaimsRules.Parse(ApiBodies.Text(claimsNode));
            if (claimsError is not null)
            {
                return claimsError;
            }

            ModifiedProperty.Track(modified, GroupClaims, app.GroupMembershipClaims, claims);
            app.GroupMembershipClaims = claims!;
        }

        if (body[Required] is not JsonNode requiredNode)
        {
            return null;
        }

        var (required, shapeError) = Parse(requiredNode);
        if (shapeError is not null)
        {
            return shapeError;
        }

        var apis = await ExposedApisAsync(db, app, [.. required!.Select(r => r.ResourceAppId).Distinct()], cancellationToken);
        var rejected = RequiredResourceAccessRules.Check(required!, apis);
        if (rejected is not null)
        {
            return rejected;
        }

        var stored = required!.Select(r => new RequiredResourceAccess
        {
            ResourceAppId = r.ResourceAppId,
            ResourceAccess = [.. r.ResourceAccess.Select(a => new ResourceAccess { Id = a.Id, Type = a.Type })],
        }).ToList();
        ModifiedProperty.Track(modified, Required, Describe(app.RequiredResourceAccess), Describe(stored));
        app.RequiredResourceAccess = stored;
        return null;
    }

    /// <summary>Graph's shape, strictly: every entry an object with a GUID resourceAppId and a list of {GUID id, text type}.</summary>
    private static (List<RequiredResource>? Required, TesseraError? Error) Parse(JsonNode node)
    {
        var shape = RegistrationErrors.RequiredResourceAccessShape;
        if (node is not JsonArray entries)
        {
            return (null, shape);
        }

        var required = new List<RequiredResource>();
        foreach (var entry in entries)
        {
            if (entry is not JsonObject resource || !Guid.TryParse(ApiBodies.Text(resource["resourceAppId"]), out var resourceAppId) ||
                resource["resourceAccess"] is not JsonArray accessList)
            {
                return (null, shape);
            }

            var access = new List<ResourceAccessItem>();
            foreach (var item in accessList)
            {
                if (item is not JsonObject permission || !Guid.TryParse(ApiBodies.Text(permission["id"]), out var id) ||
                    ApiBodies.Text(permission["type"]) is not { Length: > 0 and <= 32 } type)
                {
                    return (null, shape);
                }

                access.Add(new ResourceAccessItem(id, type));
            }

            required.Add(new RequiredResource(resourceAppId, access));
        }

        return (required, null);
    }

    /// <summary>
    /// The tenant's applications among <paramref name="appIds"/>, with the scopes and application roles they offer. The
    /// application being written is read as this body leaves it: it may need its own API's permissions, even on creation.
    /// </summary>
    private static async Task<Dictionary<Guid, ExposedApi>> ExposedApisAsync(
        TesseraDbContext db, Application app, List<Guid> appIds, CancellationToken cancellationToken)
    {
        var others = appIds.Where(id => id != app.AppId).ToList();
        var apis = others.Count == 0
            ? []
            : await db.Applications.AsNoTracking()
                .Where(a => a.TenantId == app.TenantId && others.Contains(a.AppId))
                .ToListAsync(cancellationToken);
        if (appIds.Contains(app.AppId))
        {
            apis.Add(app);
        }

        return apis.ToDictionary(a => a.AppId, a => new ExposedApi(
            a.AppId,
            a.DisplayName,
            a.Oauth2PermissionScopes.Select(s => s.Id).ToHashSet(),
            a.AppRoles.Where(r => r.AllowedMemberTypes.Contains("Application")).Select(r => r.Id).ToHashSet()));
    }

    private static string Describe(IEnumerable<RequiredResourceAccess> required)
        => JsonSerializer.Serialize(required.Select(r => new
        {
            resourceAppId = r.ResourceAppId,
            resourceAccess = r.ResourceAccess.Select(a => new { id = a.Id, type = a.Type }),
        }));
}
