using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/organization</c> and <c>/domains</c>: the caller's tenant as Graph's <c>organization</c>, and its domain names.
/// A new domain starts unverified. Tessera runs offline and checks no DNS record: verifying is an administrator's
/// statement that the tenant owns the name, recorded in the audit log with who made it and when.
/// </summary>
public static class OrganizationApi
{
    private const string Category = "DirectoryManagement";

    private static readonly Dictionary<string, Expression<Func<TenantDomain, object?>>> DomainFilterable = new(StringComparer.Ordinal)
    {
        ["id"] = d => d.Name,
        ["isDefault"] = d => d.IsDefault,
        ["isVerified"] = d => d.IsVerified,
    };

    public static RouteGroupBuilder MapOrganization(this RouteGroupBuilder api)
    {
        api.MapGet("/organization", ListOrganizationAsync).RequirePermission(AdminPermissions.DirectoryReadAll);
        api.MapGet("/organization/{id:guid}", GetOrganizationAsync).RequirePermission(AdminPermissions.DirectoryReadAll);
        api.MapGet("/domains", ListDomainsAsync).RequirePermission(AdminPermissions.DirectoryReadAll);
        api.MapGet("/domains/{id}", GetDomainAsync).RequirePermission(AdminPermissions.DirectoryReadAll);
        api.MapPost("/domains", AddDomainAsync).RequirePermission(AdminPermissions.DirectoryReadWriteAll);
        api.MapPost("/domains/{id}/verify", VerifyDomainAsync).RequirePermission(AdminPermissions.DirectoryReadWriteAll);
        return api;
    }

    /// <summary>Graph answers <c>/organization</c> with a collection holding the one tenant the caller belongs to.</summary>
    private static async Task<IResult> ListOrganizationAsync(HttpContext http, TesseraDbContext db)
    {
        var tenant = await LoadTenantAsync(db, http.Caller().TenantId, http.RequestAborted);
        var request = http.Request;
        return Results.Json(new JsonObject
        {
            ["@odata.context"] = GraphLinks.Context(request, "organization"),
            ["value"] = new JsonArray(System.Text.Json.JsonSerializer.SerializeToNode(Organization(tenant), AdminJson.Options)),
        });
    }

    private static async Task<IResult> GetOrganizationAsync(Guid id, HttpContext http, TesseraDbContext db)
    {
        if (id != http.Caller().TenantId)
        {
            return GraphResults.NotFound(id.ToString());
        }

        return Results.Json(Organization(await LoadTenantAsync(db, id, http.RequestAborted)));
    }

    private static async Task<IResult> ListDomainsAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<TenantDomain>.Parse(http.Request, DomainFilterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.TenantDomains.AsNoTracking().Where(d => d.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, d => d.Name, Domain, http.RequestAborted);
    }

    private static async Task<IResult> GetDomainAsync(string id, HttpContext http, TesseraDbContext db)
    {
        var name = id.ToLowerInvariant();
        var domain = await db.TenantDomains.AsNoTracking().FirstOrDefaultAsync(d => d.Name == name && d.TenantId == http.Caller().TenantId, http.RequestAborted);
        return domain is null ? GraphResults.NotFound(id) : Results.Json(Domain(domain));
    }

    private static async Task<IResult> AddDomainAsync(HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var requested = ApiBodies.OptionalString(body.Json!, "id", 253, out var error);
        if (error is not null || requested is null)
        {
            return GraphResults.BadRequest(error ?? RegistrationErrors.PropertyRequired.With("id"));
        }

        var name = requested.Trim().TrimEnd('.').ToLowerInvariant();
        if (!IsDomainName(name))
        {
            return GraphResults.BadRequest(RegistrationErrors.DomainNameInvalid.With(requested));
        }

        // Names are unique across the platform: a domain stands for its tenant in protocol paths and user names.
        if (await db.TenantDomains.AnyAsync(d => d.Name == name, http.RequestAborted))
        {
            return GraphResults.BadRequest(RegistrationErrors.DomainTaken.With(name));
        }

        var domain = new TenantDomain { Name = name, TenantId = caller.TenantId, IsDefault = false, IsVerified = false };
        db.TenantDomains.Add(domain);
        await audit.RecordAsync(caller, Category, "Add unverified domain", new AuditTarget(name, "Domain", name), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.Json(Domain(domain), statusCode: StatusCodes.Status201Created)));
    }

    private static async Task<IResult> VerifyDomainAsync(string id, HttpContext http, TesseraDbContext db, AuditLog audit)
    {
        var caller = http.Caller();
        var name = id.ToLowerInvariant();
        var domain = await db.TenantDomains.FirstOrDefaultAsync(d => d.Name == name && d.TenantId == caller.TenantId, http.RequestAborted);
        if (domain is null)
        {
            return GraphResults.NotFound(id);
        }

        if (domain.IsVerified)
        {
            return Results.Json(Domain(domain));
        }

        domain.IsVerified = true;
        await audit.RecordAsync(caller, Category, "Verify domain", new AuditTarget(name, "Domain", name,
        [
            new ModifiedProperty("isVerified", "False", "True"),
            new ModifiedProperty("verificationMethod", null, "AdministratorAttested"),
        ]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () => Task.FromResult(Results.Json(Domain(domain))));
    }

    private static async Task<Tenant> LoadTenantAsync(TesseraDbContext db, Guid tenantId, CancellationToken cancellationToken)
        => await db.Tenants.AsNoTracking().Include(t => t.Domains).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken)
           ?? throw new InvalidOperationException("The caller's tenant does not exist."); // the caller's token was issued by it

    public static object Organization(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new Dictionary<string, object?>
        {
            ["id"] = tenant.Id,
            ["displayName"] = tenant.DisplayName,
            ["createdDateTime"] = tenant.CreatedDateTime,
            ["verifiedDomains"] = tenant.Domains.Where(d => d.IsVerified).OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => new
            {
                name = d.Name,
                isDefault = d.IsDefault,
                isInitial = IsInitial(d),
                type = "Managed",
                capabilities = "None",
            }),
        };
    }

    public static object Domain(TenantDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return new Dictionary<string, object?>
        {
            ["id"] = domain.Name,
            ["authenticationType"] = "Managed",
            ["isDefault"] = domain.IsDefault,
            ["isInitial"] = IsInitial(domain),
            ["isRoot"] = true,
            ["isVerified"] = domain.IsVerified,
            ["supportedServices"] = Array.Empty<string>(),
        };
    }

    // The schema has no "initial" flag. A tenant is created with exactly one domain, its default, and nothing here
    // changes the default, so the default domain is the initial one.
    private static bool IsInitial(TenantDomain domain) => domain.IsDefault;

    /// <summary>A lower-case DNS name of at least two labels: letters, digits and inner hyphens; no IP address, no numeric top level.</summary>
    public static bool IsDomainName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        var labels = name.Split('.');
        return labels.Length >= 2 &&
               labels.All(label => label.Length is >= 1 and <= 63 && label[0] != '-' && label[^1] != '-' &&
                                   label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) &&
               !labels[^1].All(char.IsAsciiDigit);
    }
}
