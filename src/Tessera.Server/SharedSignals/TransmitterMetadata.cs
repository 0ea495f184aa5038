using Microsoft.Extensions.Options;
using Tessera.Directory.SharedSignals;
using Tessera.Policy.Errors;
using Tessera.Server.Failures;
using Tessera.Server.Hosting;
using Tessera.Server.Tenancy;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// The transmitter's configuration (SSF 1.0 §7): at <c>/.well-known/ssf-configuration/{tenantId}/v2.0</c> (the SSF
/// path-insertion rule applied to the tenant's issuer) and, like OpenID discovery, at
/// <c>/{tenant}/v2.0/.well-known/ssf-configuration</c>.
/// </summary>
public static class TransmitterMetadata
{
    public const string WellKnown = "/.well-known/ssf-configuration";
    public const string TenantPath = "/v2.0/.well-known/ssf-configuration";

    public static IEndpointRouteBuilder MapTransmitterMetadata(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(WellKnown + "/{tenant}/v2.0", async (string tenant, HttpContext http, TenantDirectory tenants) =>
        {
            var found = await tenants.FindAsync(tenant, http.RequestAborted);
            if (found is null)
            {
                await ErrorResponses.WriteAsync(http, StatusCodes.Status404NotFound, TesseraErrors.TenantUnknown.With(tenant));
                return Results.Empty;
            }

            return Results.Json(Describe(http, found.Id));
        }).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>The same document under the tenant (the tenant middleware has resolved it).</summary>
    public static IEndpointRouteBuilder MapTenantTransmitterMetadata(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(TenantPath, (HttpContext http) => Results.Json(Describe(http, http.RequireTenant().Id))).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>The origin receivers use to reach this server.</summary>
    public static string Origin(HttpContext http)
        => TenantServerFactory.PublicOrigin(http, http.RequestServices.GetRequiredService<IOptions<TesseraOptions>>().Value);

    public static string Issuer(string origin, Guid tenantId) => $"{origin}/{tenantId:D}/v2.0";

    private static Dictionary<string, object> Describe(HttpContext http, Guid tenantId)
    {
        var tenantBase = $"{Origin(http)}/{tenantId:D}";
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return new()
        {
            ["spec_version"] = "1_0",
            ["issuer"] = Issuer(Origin(http), tenantId),
            ["jwks_uri"] = $"{tenantBase}/discovery/v2.0/keys",
            ["delivery_methods_supported"] = new[] { SignalDeliveryMethods.Push, SignalDeliveryMethods.Poll },
            ["configuration_endpoint"] = tenantBase + StreamsApi.StreamsPath,
            ["status_endpoint"] = tenantBase + StreamsApi.StatusPath,
            ["verification_endpoint"] = tenantBase + StreamsApi.VerifyPath,
            ["authorization_schemes"] = new[] { new Dictionary<string, string> { ["spec_urn"] = "urn:ietf:rfc:6749" } },
            ["default_subjects"] = "ALL",
        };
    }
}
