using Tessera.Policy.Errors;
using Tessera.Server.Failures;

namespace Tessera.Server.Tenancy;

/// <summary>
/// Moves <c>/{tenant}</c> from the path into <c>PathBase</c>, so that one OpenIddict server with relative endpoint
/// paths (<c>oauth2/v2.0/token</c>) serves every tenant, and records the tenant for the rest of the request.
/// A segment that looks like a tenant reference (a GUID or a domain name) but names none is refused here.
/// </summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next, TenantDirectory tenants)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? string.Empty;
        var segment = FirstSegment(path);
        if (!LooksLikeTenantReference(segment))
        {
            await next(context);
            return;
        }

        var tenant = await tenants.FindAsync(segment, context.RequestAborted);
        if (tenant is null)
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, TesseraErrors.TenantUnknown.With(segment));
            return;
        }

        context.Features.Set(tenant);
        var originalBase = context.Request.PathBase;
        var originalPath = context.Request.Path;
        context.Request.PathBase = originalBase.Add(new PathString("/" + segment));
        context.Request.Path = new PathString(path[(segment.Length + 1)..]);
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.PathBase = originalBase;
            context.Request.Path = originalPath;
        }
    }

    private static string FirstSegment(string path)
    {
        if (path.Length < 2 || path[0] != '/')
        {
            return string.Empty;
        }

        var end = path.IndexOf('/', 1);
        return end < 0 ? path[1..] : path[1..end];
    }

    // A GUID, or a DNS name with at least one dot that does not start with one (so '.well-known' is not a tenant).
    private static bool LooksLikeTenantReference(string segment)
        => segment.Length is > 0 and <= 253 &&
           (Guid.TryParse(segment, out _) || (segment.Contains('.', StringComparison.Ordinal) && segment[0] != '.' && IsDnsName(segment)));

    private static bool IsDnsName(string segment)
    {
        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}

public static class TenantHttpContextExtensions
{
    /// <summary>The tenant of this request; only endpoints under <c>/{tenant}/</c> have one.</summary>
    public static TenantInfo? GetTenant(this HttpContext context) => context.Features.Get<TenantInfo>();

    public static TenantInfo RequireTenant(this HttpContext context)
        => context.Features.Get<TenantInfo>() ?? throw new InvalidOperationException("This endpoint is only reachable under /{tenant}/.");
}
