using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Consent;
using Tessera.Server.SharedSignals;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/oauth2PermissionGrants</c>: the delegated permissions a client holds on an API (Graph's
/// <c>oAuth2PermissionGrant</c>), for every user of the tenant (<c>AllPrincipals</c>, admin consent) or for one
/// (<c>Principal</c>). A user token's <c>scp</c> is computed from these at issue and at every refresh, so a change here
/// reaches the next refresh; a deletion also ends the refresh tokens that rest on it at once. Writing needs
/// <c>DelegatedPermissionGrant.ReadWrite.All</c>, is audited on the client's service principal, and on the admin API
/// itself is limited to the permissions the caller holds.
/// </summary>
public static class PermissionGrantsApi
{
    private const string Category = "ApplicationManagement";
    private const string Property = "oauth2PermissionGrants";
    private static readonly string[] Creatable = ["clientId", "consentType", "principalId", "resourceId", "scope"];

    private static readonly Dictionary<string, Expression<Func<OAuth2PermissionGrant, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = g => g.Id,
        ["clientId"] = g => g.ClientId,
        ["resourceId"] = g => g.ResourceId,
        ["consentType"] = g => g.ConsentType,
        ["principalId"] = g => g.PrincipalId,
    };

    public static RouteGroupBuilder MapPermissionGrants(this RouteGroupBuilder api)
    {
        var grants = api.MapGroup("/" + Property);
        grants.MapGet("/", ListAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadAll);
        grants.MapGet("/{id:guid}", GetAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadAll);
        grants.MapPost("/", CreateAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        grants.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        grants.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        api.MapGet("/servicePrincipals/{id:guid}/" + Property, ListOfClientAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadAll);
        api.MapGet("/users/{id}/" + Property, ListOfUserAsync).RequirePermission(AdminPermissions.DelegatedPermissionGrantReadAll);
        return api;
    }

    /// <summary>Graph's shape; <c>principalId</c> is null for a grant for every user.</summary>
    public static Dictionary<string, object?> Resource(OAuth2PermissionGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return new Dictionary<string, object?>
        {
            ["id"] = grant.Id,
            ["clientId"] = grant.ClientId,
            ["consentType"] = grant.ConsentType,
            ["principalId"] = grant.PrincipalId == Guid.Empty ? null : grant.PrincipalId,
            ["resourceId"] = grant.ResourceId,
            ["scope"] = grant.Scope,
            ["@odata.etag"] = GraphResults.ETag(grant.ConcurrencyStamp),
        };
    }

    /// <summary>
    /// Records a change of the grant in Entra ID's words, on the client's service principal: <paramref name="scopeBefore"/>
    /// null for a new grant, <paramref name="scopeAfter"/> null for a removed one (then who and which API are logged too).
    /// </summary>
    public static Task RecordAsync(
        AuditLog audit, AdminCaller caller, string activity, OAuth2PermissionGrant grant, string? clientName, string? scopeBefore, string? scopeAfter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(grant);
        var added = scopeBefore is null;
        var removed = scopeAfter is null;
        string? Before(string value) => added ? null : value;
        string? After(string value) => removed ? null : value;
        var principal = grant.PrincipalId == Guid.Empty ? string.Empty : grant.PrincipalId.ToString();
        List<ModifiedProperty> modified = [new("DelegatedPermissionGrant.Scope", scopeBefore, scopeAfter)];
        if (added || removed)
        {
            modified.Add(new ModifiedProperty("DelegatedPermissionGrant.ConsentType", Before(grant.ConsentType), After(grant.ConsentType)));
            modified.Add(new ModifiedProperty("DelegatedPermissionGrant.PrincipalId", Before(principal), After(principal)));
            modified.Add(new ModifiedProperty("DelegatedPermissionGrant.ResourceId", Before(grant.ResourceId.ToString()), After(grant.ResourceId.ToString())));
        }

        return audit.RecordAsync(caller, Category, activity,
            new AuditTarget(grant.ClientId.ToString(), ServicePrincipalResource.ServicePrincipalType, clientName, modified), cancellationToken);
    }

    /// <summary>On the admin API, a caller grants or takes back only permissions it holds: no way up from DelegatedPermissionGrant.ReadWrite.All.</summary>
    public static IResult? RefuseBeyondCaller(AdminCaller caller, Application resource, IEnumerable<string> changing)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(resource);
        return ServicePrincipalsApi.IsAdminApi(resource) && PermissionGrantRules.FirstAdminPermissionNotHeld(changing, caller.Permissions) is { } missing
            ? GraphResults.Forbidden(RegistrationErrors.GrantAdminPermissionNotHeld.With(missing))
            : null;
    }

    /// <summary>The delegated permissions the API offers now (enabled ones).</summary>
    public static List<string> Offered(Application? resource)
        => resource?.Oauth2PermissionScopes.Where(s => s.IsEnabled).Select(s => s.Value).ToList() ?? [];

    private static Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
        => RespondAsync(http, db.OAuth2PermissionGrants.Where(g => g.TenantId == http.Caller().TenantId));

    /// <summary>The grants the service principal <paramref name="id"/> holds as a client, as Graph lists them.</summary>
    private static async Task<IResult> ListOfClientAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var tenantId = http.Caller().TenantId;
        if (!await ServicePrincipalsApi.InTenant(db, tenantId, id).AnyAsync(http.RequestAborted))
        {
            return GraphResults.NotFound(id.ToString());
        }

        return await RespondAsync(http, db.OAuth2PermissionGrants.Where(g => g.TenantId == tenantId && g.ClientId == id));
    }

    /// <summary>The grants a user gave for themselves (Graph lists those, not the grants for everyone); the user by id or UPN.</summary>
    private static async Task<IResult> ListOfUserAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
    {
        var tenantId = http.Caller().TenantId;
        var userId = await UsersApi.Find(db.Users.AsNoTracking(), users, tenantId, id)
            .Select(u => (Guid?)u.Id)
            .FirstOrDefaultAsync(http.RequestAborted);
        if (userId is null)
        {
            return GraphResults.NotFound(id);
        }

        return await RespondAsync(http, db.OAuth2PermissionGrants.Where(g => g.TenantId == tenantId && g.PrincipalId == userId));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var grant = await db.OAuth2PermissionGrants.AsNoTracking()
            .FirstOrDefaultAsync(g => g.Id == id && g.TenantId == http.Caller().TenantId, http.RequestAborted);
        if (grant is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        http.Response.Headers.ETag = GraphResults.ETag(grant.ConcurrencyStamp);
        return Results.Json(Resource(grant));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, TesseraDbContext db, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var unknown = json.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && !Creatable.Contains(name, StringComparer.Ordinal));
        if (unknown is not null)
        {
            return GraphResults.BadRequest(RegistrationErrors.Malformed.With(
                $"'{unknown}' is not a property of oAuth2PermissionGrant that can be set; send clientId, consentType, principalId, resourceId and scope."));
        }

        var clientId = ApiBodies.RequiredGuid(json, "clientId", out var error);
        var resourceId = error is null ? ApiBodies.RequiredGuid(json, "resourceId", out error) : Guid.Empty;
        var consentTypeText = error is null ? ApiBodies.OptionalString(json, "consentType", 64, out error) : null;
        var scopeText = error is null ? ApiBodies.OptionalString(json, "scope", 64 * 1024, out error) : null;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var client = await ServicePrincipalsApi.InTenant(db, caller.TenantId, clientId).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (client is null)
        {
            return GraphResults.BadRequest(RegistrationErrors.GrantClientUnknown.With(clientId));
        }

        var resource = await ServicePrincipalsApi.InTenant(db, caller.TenantId, resourceId).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (resource is null)
        {
            return GraphResults.BadRequest(RegistrationErrors.GrantResourceUnknown.With(resourceId));
        }

        var principalSent = json["principalId"] is not null;
        var (consentType, typeError) = PermissionGrantRules.ConsentType(consentTypeText, principalSent);
        if (typeError is not null)
        {
            return GraphResults.BadRequest(typeError);
        }

        var principal = principalSent ? ApiBodies.RequiredGuid(json, "principalId", out error) : Guid.Empty;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        string? userName = null;
        if (principalSent)
        {
            userName = await db.Users.AsNoTracking()
                .Where(u => u.Id == principal && u.TenantId == caller.TenantId)
                .Select(u => u.UserName ?? u.Id.ToString())
                .FirstOrDefaultAsync(http.RequestAborted);
            if (userName is null)
            {
                return GraphResults.BadRequest(RegistrationErrors.GrantPrincipalUnknown.With(principal));
            }
        }

        var scopes = PermissionGrantRules.Scopes(scopeText, Offered(resource), ServicePrincipalsApi.IsAdminApi(resource), resource.DisplayName, resource.AppId);
        if (scopes.Error is not null)
        {
            return GraphResults.BadRequest(scopes.Error);
        }

        if (RefuseBeyondCaller(caller, resource, scopes.Values) is { } beyond)
        {
            return beyond;
        }

        var existing = await db.OAuth2PermissionGrants.AsNoTracking()
            .Where(g => g.ClientId == clientId && g.ResourceId == resourceId && g.PrincipalId == principal)
            .Select(g => (Guid?)g.Id)
            .FirstOrDefaultAsync(http.RequestAborted);
        if (existing is { } existingId)
        {
            return GraphResults.Error(StatusCodes.Status409Conflict,
                RegistrationErrors.GrantExists.With(userName is null ? "every user (AllPrincipals)" : $"the user '{userName}'", existingId));
        }

        var grant = new OAuth2PermissionGrant
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            ClientId = clientId,
            ConsentType = consentType!,
            PrincipalId = principal,
            ResourceId = resourceId,
            Scope = string.Join(' ', scopes.Values),
            CreatedDateTime = time.GetUtcNow(),
        };
        db.OAuth2PermissionGrants.Add(grant);
        await RecordAsync(audit, caller, "Add delegated permission grant", grant, client.DisplayName, null, grant.Scope, http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () =>
        {
            http.Response.Headers.ETag = GraphResults.ETag(grant.ConcurrencyStamp);
            http.Response.Headers.Location = $"{http.Request.PathBase}{AdminApiSetup.Prefix}/{Property}/{grant.Id}";
            return Task.FromResult(Results.Json(Resource(grant), statusCode: StatusCodes.Status201Created));
        });
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var grant = await db.OAuth2PermissionGrants.FirstOrDefaultAsync(g => g.Id == id && g.TenantId == caller.TenantId, http.RequestAborted);
        if (grant is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        if (!GraphResults.IfMatchAllows(http.Request, grant.ConcurrencyStamp))
        {
            return GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed);
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var readOnly = json.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && name != "scope" && !SameValue(json[name], grant, name));
        if (readOnly is not null)
        {
            return GraphResults.BadRequest(RegistrationErrors.GrantPropertyReadOnly.With(readOnly));
        }

        var scopeText = ApiBodies.OptionalString(json, "scope", 64 * 1024, out var error);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var resource = await ServicePrincipalsApi.InTenant(db, caller.TenantId, grant.ResourceId).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        var scopes = PermissionGrantRules.Scopes(scopeText, Offered(resource), resource is not null && ServicePrincipalsApi.IsAdminApi(resource),
            resource?.DisplayName ?? grant.ResourceId.ToString(), grant.ResourceId);
        if (scopes.Error is not null)
        {
            return GraphResults.BadRequest(scopes.Error);
        }

        if (resource is not null && RefuseBeyondCaller(caller, resource, PermissionGrantRules.Changed(grant.ScopeValues, scopes.Values)) is { } beyond)
        {
            return beyond;
        }

        var before = grant.Scope;
        var after = string.Join(' ', scopes.Values);
        if (string.Equals(before, after, StringComparison.Ordinal))
        {
            http.Response.Headers.ETag = GraphResults.ETag(grant.ConcurrencyStamp);
            return Results.NoContent();
        }

        grant.Scope = after;
        grant.ConcurrencyStamp = Guid.NewGuid();
        if (before.Split(' ', StringSplitOptions.RemoveEmptyEntries).Except(scopes.Values, StringComparer.Ordinal).Any())
        {
            // A scope taken out: tokens issued until now may carry it.
            await (grant.PrincipalId == Guid.Empty
                ? signals.QueueClientConsentRemovedAsync(caller.TenantId, grant.ClientId, grant.ResourceId, InitiatingEntities.Admin, http.RequestAborted)
                : signals.QueueAsync(caller.TenantId, DirectoryChangeKind.ConsentRemoved, grant.PrincipalId, InitiatingEntities.Admin, http.RequestAborted));
        }

        var clientName = await ClientNameAsync(db, grant.ClientId, http.RequestAborted);
        await RecordAsync(audit, caller, "Update delegated permission grant", grant, clientName, before, after, http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () =>
        {
            http.Response.Headers.ETag = GraphResults.ETag(grant.ConcurrencyStamp);
            return Task.FromResult(Results.NoContent());
        });
    }

    private static async Task<IResult> DeleteAsync(
        Guid id, HttpContext http, TesseraDbContext db, AuditLog audit, PermissionGrants grants, SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var grant = await db.OAuth2PermissionGrants.FirstOrDefaultAsync(g => g.Id == id && g.TenantId == caller.TenantId, http.RequestAborted);
        if (grant is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        if (!GraphResults.IfMatchAllows(http.Request, grant.ConcurrencyStamp))
        {
            return GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed);
        }

        var resource = await ServicePrincipalsApi.InTenant(db, caller.TenantId, grant.ResourceId).AsNoTracking().FirstOrDefaultAsync(http.RequestAborted);
        if (resource is not null && RefuseBeyondCaller(caller, resource, grant.ScopeValues) is { } beyond)
        {
            return beyond;
        }

        db.OAuth2PermissionGrants.Remove(grant);
        if (grant.PrincipalId != Guid.Empty)
        {
            await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.ConsentRemoved, grant.PrincipalId, InitiatingEntities.Admin, http.RequestAborted);
        }
        else
        {
            // A grant for every user: the API refuses every delegated token of the client issued until now.
            await signals.QueueClientConsentRemovedAsync(caller.TenantId, grant.ClientId, grant.ResourceId, InitiatingEntities.Admin, http.RequestAborted);
        }

        var clientName = await ClientNameAsync(db, grant.ClientId, http.RequestAborted);
        await RecordAsync(audit, caller, "Remove delegated permission grant", grant, clientName, grant.Scope, null, http.RequestAborted);
        var committed = false;
        var result = await AdminWrites.SaveAsync(db, http, () =>
        {
            committed = true;
            return Task.FromResult(Results.NoContent());
        });

        // After the commit, so that no refresh can be granted on the old grant in between. Not cancelled with the
        // request: the grant is gone, so its sessions must end even if the caller stopped waiting.
        if (committed)
        {
            await grants.RevokeSessionsAsync(grant.ClientId, grant.PrincipalId == Guid.Empty ? null : grant.PrincipalId, CancellationToken.None);
        }

        return result;
    }

    private static async Task<IResult> RespondAsync(HttpContext http, IQueryable<OAuth2PermissionGrant> grants)
    {
        var (query, error) = GraphQuery<OAuth2PermissionGrant>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        return await query!.RespondAsync(http.Request, grants.AsNoTracking(), g => g.Id, g => Resource(g), http.RequestAborted);
    }

    private static Task<string?> ClientNameAsync(TesseraDbContext db, Guid clientId, CancellationToken cancellationToken)
        => db.Applications.AsNoTracking().Where(a => a.AppId == clientId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// A PATCH may repeat what it does not change (clients often send the whole object back): the same id, client,
    /// API, user or consent type is no change.
    /// </summary>
    private static bool SameValue(JsonNode? node, OAuth2PermissionGrant grant, string name)
    {
        var text = ApiBodies.Text(node);
        bool SameId(Guid value) => Guid.TryParse(text, out var sent) && sent == value;
        return name switch
        {
            "id" => SameId(grant.Id),
            "clientId" => SameId(grant.ClientId),
            "resourceId" => SameId(grant.ResourceId),
            "consentType" => string.Equals(text, grant.ConsentType, StringComparison.Ordinal),
            "principalId" => grant.PrincipalId == Guid.Empty ? node is null : SameId(grant.PrincipalId),
            _ => false,
        };
    }
}
