using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/applications/{id}/federatedIdentityCredentials</c>: the external tokens an application trusts instead of a
/// secret (Graph's <c>federatedIdentityCredential</c>). A credential is addressed by its id or its name.
/// </summary>
/// <remarks>
/// Adding one lets whoever holds a matching external token act as the application, so it is a credential change like
/// <c>addPassword</c>: the same permissions and owner rules (<see cref="ApplicationsApi.LoadForWriteAsync"/>), the same
/// audit activity, and the application's version (its ETag, which <c>If-Match</c> is checked against) moves on every
/// change, so that two concurrent writers cannot both slip under the limit or the uniqueness rules.
/// </remarks>
public static class FederatedCredentialsApi
{
    private const string Category = "ApplicationManagement";
    private const string Activity = "Update application – Certificates and secrets management";
    private const string AuditProperty = "federatedIdentityCredentials";

    // Longer than any rule allows, so that the rules (not the body reader) name a value that is too long.
    private const int LongestText = 4096;

    private static readonly string[] Settable = ["name", "issuer", "subject", "audiences", "description"];

    private static readonly Dictionary<string, Expression<Func<FederatedIdentityCredential, object?>>> Filterable = new(StringComparer.Ordinal)
    {
        ["id"] = c => c.Id,
        ["name"] = c => c.Name,
        ["issuer"] = c => c.Issuer,
        ["subject"] = c => c.Subject,
    };

    /// <summary>Called by <see cref="ApplicationsApi.MapApplications"/>: one registration line for the whole resource.</summary>
    public static void Map(RouteGroupBuilder applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var credentials = applications.MapGroup("/{id:guid}/federatedIdentityCredentials");
        credentials.MapGet("/", ListAsync).RequirePermission(ApplicationsApi.Read);
        credentials.MapPost("/", CreateAsync).RequirePermission(ApplicationsApi.Write);
        credentials.MapGet("/{federatedIdentityCredentialId}", GetAsync).RequirePermission(ApplicationsApi.Read);
        credentials.MapPatch("/{federatedIdentityCredentialId}", UpdateAsync).RequirePermission(ApplicationsApi.Write);
        credentials.MapDelete("/{federatedIdentityCredentialId}", DeleteAsync).RequirePermission(ApplicationsApi.Write);
    }

    /// <summary>A credential as the admin API shows it.</summary>
    public static object Resource(FederatedIdentityCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new Dictionary<string, object?>
        {
            ["id"] = credential.Id,
            ["name"] = credential.Name,
            ["issuer"] = credential.Issuer,
            ["subject"] = credential.Subject,
            ["audiences"] = credential.Audiences,
            ["description"] = credential.Description,
        };
    }

    private static async Task<IResult> ListAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        var stamp = await VisibleStampAsync(db, http, id);
        if (stamp is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        var (query, error) = GraphQuery<FederatedIdentityCredential>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var ofApplication = db.FederatedIdentityCredentials.AsNoTracking().Where(c => c.ApplicationId == id);
        return await query!.RespondAsync(http.Request, ofApplication, c => c.Name, Resource, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(Guid id, string federatedIdentityCredentialId, HttpContext http, TesseraDbContext db)
    {
        var stamp = await VisibleStampAsync(db, http, id);
        if (stamp is null)
        {
            return GraphResults.NotFound(id.ToString());
        }

        var credentials = await db.FederatedIdentityCredentials.AsNoTracking().Where(c => c.ApplicationId == id).ToListAsync(http.RequestAborted);
        var credential = Find(credentials, federatedIdentityCredentialId);
        if (credential is null)
        {
            return GraphResults.NotFound(federatedIdentityCredentialId);
        }

        http.Response.Headers.ETag = GraphResults.ETag(stamp.Value);
        return Results.Json(Resource(credential));
    }

    private static async Task<IResult> CreateAsync(Guid id, HttpContext http, TesseraDbContext db, AuditLog audit)
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

        var (request, _, readError) = ReadBody(body.Json!, current: null);
        if (readError is not null)
        {
            return GraphResults.BadRequest(readError);
        }

        var existing = await db.FederatedIdentityCredentials.Where(c => c.ApplicationId == app!.Id).ToListAsync(http.RequestAborted);
        var refused = FederatedCredentialRules.Create(request!, [.. existing.Select(Existing)]);
        if (refused is not null)
        {
            return Refuse(refused);
        }

        var credential = new FederatedIdentityCredential
        {
            Id = Guid.NewGuid(),
            ApplicationId = app!.Id,
            Name = request!.Name!,
            Issuer = request.Issuer!,
            Subject = request.Subject!,
            Audiences = [.. FederatedCredentialRules.AudiencesOrDefault(request.Audiences)],
            Description = request.Description,
        };
        db.FederatedIdentityCredentials.Add(credential);
        app.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, Activity,
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, [new ModifiedProperty(AuditProperty, null, Summary(credential))]),
            http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http,
            () => Task.FromResult(Results.Json(Resource(credential), statusCode: StatusCodes.Status201Created)));
    }

    /// <summary>The application (tracked, for a change), all its federated credentials, and the one named by id or name.</summary>
    private static async Task<(Application? App, List<FederatedIdentityCredential> Existing, FederatedIdentityCredential? Credential, IResult? Denied)>
        LoadForWriteAsync(TesseraDbContext db, AdminCaller caller, Guid id, string federatedIdentityCredentialId, HttpContext http)
    {
        var (app, denied) = await ApplicationsApi.LoadForWriteAsync(db, caller, id, http);
        if (denied is not null)
        {
            return (null, [], null, denied);
        }

        var existing = await db.FederatedIdentityCredentials.Where(c => c.ApplicationId == app!.Id).ToListAsync(http.RequestAborted);
        var credential = Find(existing, federatedIdentityCredentialId);
        return credential is null
            ? (null, existing, null, GraphResults.NotFound(federatedIdentityCredentialId))
            : (app, existing, credential, null);
    }

    private static async Task<IResult> UpdateAsync(Guid id, string federatedIdentityCredentialId, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, existing, credential, denied) = await LoadForWriteAsync(db, caller, id, federatedIdentityCredentialId, http);
        if (denied is not null || credential is null)
        {
            return denied!;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var (request, clearsDescription, readError) = ReadBody(body.Json!, credential);
        if (readError is not null)
        {
            return GraphResults.BadRequest(readError);
        }

        var after = new FederatedCredentialRequest(
            request!.Name,
            request.Issuer ?? credential.Issuer,
            request.Subject ?? credential.Subject,
            request.Audiences ?? credential.Audiences,
            clearsDescription ? null : request.Description ?? credential.Description);
        var refused = FederatedCredentialRules.Change(Existing(credential), after, [.. existing.Select(Existing)]);
        if (refused is not null)
        {
            return Refuse(refused);
        }

        var before = Summary(credential);
        credential.Issuer = after.Issuer!;
        credential.Subject = after.Subject!;
        credential.Audiences = [.. after.Audiences!];
        credential.Description = after.Description;
        var changed = Summary(credential);
        if (changed == before)
        {
            return Results.NoContent();
        }

        app!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, Activity,
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, [new ModifiedProperty(AuditProperty, before, changed)]),
            http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    private static async Task<IResult> DeleteAsync(Guid id, string federatedIdentityCredentialId, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var (app, existing, credential, denied) = await LoadForWriteAsync(db, caller, id, federatedIdentityCredentialId, http);
        if (denied is not null || credential is null)
        {
            return denied!;
        }

        db.FederatedIdentityCredentials.Remove(credential);
        app!.ConcurrencyStamp = Guid.NewGuid();
        await audit.RecordAsync(caller, Category, Activity,
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName, [new ModifiedProperty(AuditProperty, Summary(credential), null)]),
            http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.NoContent()));
    }

    /// <summary>The version of the application when the caller may read it (all, or only its own with OwnedBy); else null.</summary>
    private static Task<Guid?> VisibleStampAsync(TesseraDbContext db, HttpContext http, Guid id)
        => ApplicationsApi.Visible(db, http.Caller()).Where(a => a.Id == id).Select(a => (Guid?)a.ConcurrencyStamp).FirstOrDefaultAsync(http.RequestAborted);

    /// <summary>By id, else by name (names ignore case, as their uniqueness does). An application has at most a handful.</summary>
    private static FederatedIdentityCredential? Find(IReadOnlyList<FederatedIdentityCredential> credentials, string idOrName)
        => (Guid.TryParse(idOrName, out var credentialId) ? credentials.FirstOrDefault(c => c.Id == credentialId) : null)
           ?? credentials.FirstOrDefault(c => string.Equals(c.Name, idOrName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The body's settable properties (absent ones null). Unknown properties are refused; <c>id</c> may only repeat
    /// the credential's own (a body read, changed and sent back); <c>description: null</c> clears the description.
    /// </summary>
    private static (FederatedCredentialRequest? Request, bool ClearsDescription, TesseraError? Error) ReadBody(JsonObject json, FederatedIdentityCredential? current)
    {
        var unknown = json.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && name != "id" && !Settable.Contains(name, StringComparer.Ordinal));
        if (unknown is not null)
        {
            return (null, false, RegistrationErrors.FederatedPropertyUnknown.With(unknown));
        }

        if (json.ContainsKey("id") && (current is null || !Guid.TryParse(ApiBodies.Text(json["id"]), out var sentId) || sentId != current.Id))
        {
            return (null, false, RegistrationErrors.ReadOnlyProperty.With("id"));
        }

        var name = ApiBodies.OptionalString(json, "name", LongestText, out var error);
        var issuer = error is null ? ApiBodies.OptionalString(json, "issuer", LongestText, out error) : null;
        var subject = error is null ? ApiBodies.OptionalString(json, "subject", LongestText, out error) : null;
        var audiences = error is null ? ApiBodies.OptionalStrings(json, "audiences", out error) : null;
        var description = error is null ? ApiBodies.OptionalString(json, "description", LongestText, out error) : null;
        var clearsDescription = json.TryGetPropertyValue("description", out var descriptionNode) && descriptionNode is null;
        return error is not null
            ? (null, false, error)
            : (new FederatedCredentialRequest(name, issuer, subject, audiences, description), clearsDescription, null);
    }

    private static ExistingFederatedCredential Existing(FederatedIdentityCredential credential)
        => new(credential.Id, credential.Name, credential.Issuer, credential.Subject);

    // A name or an issuer and subject already trusted is a conflict with an existing credential: 409, as Graph answers.
    private static IResult Refuse(TesseraError error)
        => GraphResults.Error(
            error.Code == RegistrationErrors.FederatedNameTaken.Code || error.Code == RegistrationErrors.FederatedIssuerSubjectTaken.Code
                ? StatusCodes.Status409Conflict
                : StatusCodes.Status400BadRequest,
            error);

    /// <summary>What the audit entry keeps of a credential: everything, since nothing in it is secret.</summary>
    private static string Summary(FederatedIdentityCredential credential)
        => JsonSerializer.Serialize(new { credential.Id, credential.Name, credential.Issuer, credential.Subject, credential.Audiences, credential.Description });
}
