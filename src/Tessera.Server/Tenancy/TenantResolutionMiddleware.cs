using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Tessera.Policy.Errors;
using Tessera.Server.Failures;

namespace Tessera.Server.Tenancy;

/// <summary>
/// Moves <c>/{tenant}</c> from the path into <c>PathBase</c>, so that one OpenIddict server with relative endpoint
/// paths (<c>oauth2/v2.0/token</c>) serves every tenant, and records the tenant for the rest of the request.
/// A segment that looks like a tenant reference (a GUID or a domain name) but names none is refused here, and so is
/// a protocol endpoint's path with no tenant in front (<c>/oauth2/v2.0/token</c>): it would run with no tenant checks.
/// </summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next, TenantDirectory tenants, IOptionsMonitor<OpenIddictServerOptions> server)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? string.Empty;
        var segment = FirstSegment(path);
        if (!LooksLikeTenantReference(segment))
        {
            if (IsProtocolEndpoint(path, server.CurrentValue))
            {
                await ErrorResponses.WriteAsync(context, StatusCodes.Status404NotFound, TesseraErrors.NotFound);
                return;
            }

            await next(context);
            return;
        }

        // The tenant's issuer is built from the Host header: one that makes no URI is a 400 (RFC 9112 §3.2), not a 500.
        if (!HasValidHost(context.Request))
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, TesseraErrors.HostInvalid);
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

    // Matched as OpenIddict matches relative endpoint paths: ignoring case and a final slash.
    private static bool IsProtocolEndpoint(string path, OpenIddictServerOptions options)
    {
        var trimmed = path.TrimEnd('/');
        IEnumerable<Uri> endpoints =
        [
            .. options.AuthorizationEndpointUris, .. options.ConfigurationEndpointUris, .. options.DeviceAuthorizationEndpointUris,
            .. options.EndSessionEndpointUris, .. options.EndUserVerificationEndpointUris, .. options.IntrospectionEndpointUris,
            .. options.JsonWebKeySetEndpointUris, .. options.PushedAuthorizationEndpointUris, .. options.RevocationEndpointUris,
            .. options.TokenEndpointUris, .. options.UserInfoEndpointUris,
        ];
        return endpoints.Any(uri => !uri.IsAbsoluteUri && string.Equals("/" + uri.OriginalString.Trim('/'), trimmed, StringComparison.OrdinalIgnoreCase));
    }

    // Kestrel passes an empty Host, an overlong one, a port above 65535 and invalid punycode ('xn--'), on which
    // HostString itself throws.
    private static bool HasValidHost(HttpRequest request)
    {
        try
        {
            return Uri.TryCreate($"{request.Scheme}://{request.Host.Value}/", UriKind.Absolute, out _);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // A GUID, or a DNS name with at least one dot that does not start with one (so '.well-known' is not a tenant).
    private static bool LooksLikeTenantReference(string segment)
        => segment.Length is > 0 and <= 253 &&
           (Guid.TryParseExact(segment, "D", out _) || (segment.Contains('.', StringComparison.Ordinal) && segment[0] != '.' && IsDnsName(segment)));

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
