using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Tenancy;

namespace Tessera.Server.SharedSignals;

/// <summary>The application a stream-management or poll request comes from, once <see cref="ReceiverAccessFilter"/> admitted it.</summary>
public sealed record SignalReceiver(Guid TenantId, Guid AppId);

/// <summary>
/// Guards the stream endpoints: a bearer token of this tenant for <c>urn:tessera:ssf</c>, app-only, from an application
/// that is an enabled service principal of the tenant now (read on each request, so disabling it takes effect at once).
/// Refusals are RFC 6750's 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>.
/// </summary>
public sealed class ReceiverAccessFilter(TesseraDbContext db) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.GetTenant() is not { } tenant)
        {
            // The stream endpoints exist only under a tenant: /{tenant}/ssf/...
            return SignalResults.Error(StatusCodes.Status404NotFound, TesseraErrors.NotFound);
        }

        var authentication = await http.AuthenticateAsync(SharedSignalsSetup.Scheme);
        if (!authentication.Succeeded)
        {
            return Unauthorized(http, SharedSignalsErrors.TokenRequired.Description);
        }

        var principal = authentication.Principal!;
        if (!Guid.TryParse(principal.FindFirst("tid")?.Value, out var tenantId) || tenantId != tenant.Id)
        {
            return Unauthorized(http, SharedSignalsErrors.TokenNotForTenant.Description);
        }

        if (principal.FindFirst("idtyp")?.Value != "app" || !Guid.TryParse(principal.FindFirst("azp")?.Value, out var appId))
        {
            return Unauthorized(http, SharedSignalsErrors.ApplicationOnly.Description);
        }

        var enabled = await db.Applications.AsNoTracking().AnyAsync(a => a.AppId == appId && a.TenantId == tenantId && a.ServicePrincipalEnabled, http.RequestAborted)
                      || await db.TenantServicePrincipals.AsNoTracking().AnyAsync(p => p.AppId == appId && p.TenantId == tenantId && p.AccountEnabled, http.RequestAborted);
        if (!enabled)
        {
            return Unauthorized(http, SharedSignalsErrors.ApplicationDisabled.Description);
        }

        http.Features.Set(new SignalReceiver(tenantId, appId));
        return await next(context);
    }

    private static IResult Unauthorized(HttpContext http, string description)
    {
        http.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";
        return SignalResults.Error(StatusCodes.Status401Unauthorized, "invalid_token", description);
    }
}

/// <summary>The JSON errors of the stream endpoints: <c>{"error": ..., "error_description": ...}</c>.</summary>
public static class SignalResults
{
    public static IResult Error(int status, TesseraError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Error(status, error.OAuthError, error.Description);
    }

    public static IResult Error(int status, string error, string description)
        => Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    public static IResult BadRequest(TesseraError error) => Error(StatusCodes.Status400BadRequest, error);

    public static SignalReceiver Receiver(this HttpContext http)
        => http.Features.Get<SignalReceiver>() ?? throw new InvalidOperationException("The receiver access filter did not run.");
}
