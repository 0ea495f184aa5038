using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Apis;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Keys;

namespace Tessera.Server.Admin;

/// <summary>
/// The admin API, <c>/admin/v1</c>: Microsoft Graph's resources and shapes, protected by Tessera's own tokens.
/// Tokens are checked strictly (ES256 from the key ring, <c>at+jwt</c>, the tenant's issuer, the tenant's admin API
/// as audience); each endpoint then declares the least permission it needs.
/// </summary>
public static class AdminApiSetup
{
    public const string Scheme = "TesseraAdmin";
    public const string Prefix = "/admin/v1";

    public static IServiceCollection AddTesseraAdminApi(this IServiceCollection services)
    {
        services.AddAuthentication().AddJwtBearer(Scheme);
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<SigningKeyRing, AdminApiAudiences>((options, ring, audiences) =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidTypes = ["at+jwt"],
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                IssuerSigningKeyResolver = (_, _, _, _) => ring.Published,
                IssuerValidator = ValidateIssuer,
                ValidateAudience = false, // checked per tenant below
                ClockSkew = TimeSpan.FromMinutes(1),
                NameClaimType = "name",
                RoleClaimType = "roles",
            };
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = async context =>
                {
                    var tenant = Guid.TryParse(context.Principal?.FindFirst("tid")?.Value, out var tid) ? tid : Guid.Empty;
                    var expected = await audiences.ForTenantAsync(tenant, context.HttpContext.RequestAborted);
                    var audience = context.Principal?.FindFirst("aud")?.Value;
                    if (expected is null || !string.Equals(audience, expected.Value.ToString("D"), StringComparison.OrdinalIgnoreCase))
                    {
                        context.Fail("The token is not for this tenant's admin API.");
                    }
                },
            };
        });

        services.AddScoped<AdminCallers>();
        services.AddSingleton<AdminApiAudiences>();
        services.AddScoped<AuditLog>();
        services.AddOpenApi(AdminApiDocs.DocumentName, AdminApiDocs.Configure);
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapTesseraAdminApi(this IEndpointRouteBuilder endpoints)
    {
        // Documentation lives beside /admin/v1, not in it: everything under /admin/v1 needs a token and a permission.
        endpoints.MapOpenApi("/admin/openapi/{documentName}.json").ExcludeFromDescription();
        endpoints.MapGet("/admin/docs", AdminApiDocs.Page).ExcludeFromDescription();
        var api = endpoints.MapGroup(Prefix).AddEndpointFilter<AdminAccessFilter>().WithTags("admin");
        api.MapApplications();
        api.MapAuditLogs();
        api.MapSignIns();
        api.MapUsers();
        api.MapGroups();
        api.MapDirectoryRoles();
        api.MapOrganization();
        api.MapServicePrincipals();
        api.MapAuthorizationPolicy();
        api.MapPermissionClassifications();
        api.MapVerifiedPublisher();
        api.MapAppManagementPolicy();
        api.MapSessionPolicy();
        api.MapPermissionGrants();
        api.MapAppConsentRequests();
        api.MapConditionalAccessPolicies();
        api.MapNamedLocations();
        api.MapAuthenticationContexts();
        api.MapConditionalAccessWhatIf();
        api.MapPasswordProtectionPolicy();
        api.MapRiskDetections();
        api.MapRiskyUsers();
        return endpoints;
    }

    // Only Tessera's keys sign these tokens; the issuer must still be a tenant issuer naming the token's own tenant.
    internal static string ValidateIssuer(string issuer, SecurityToken token, TokenValidationParameters parameters)
    {
        var tenant = (token as Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)?.TryGetPayloadValue<string>("tid", out var tid) == true ? tid : null;
        if (tenant is null || !Guid.TryParse(tenant, out var tenantId) ||
            !Uri.TryCreate(issuer, UriKind.Absolute, out var uri) ||
            !uri.AbsolutePath.Equals($"/{tenantId:D}/v2.0", StringComparison.OrdinalIgnoreCase))
        {
            throw new SecurityTokenInvalidIssuerException("The issuer is not the issuer of the token's tenant.") { InvalidIssuer = issuer };
        }

        return issuer;
    }
}
