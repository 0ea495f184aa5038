using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using OpenIddict.Server;
using Tessera.Server.Tenancy;

namespace Tessera.Server.Security;

/// <summary>
/// CORS for single-page apps, on the protocol endpoints a page calls with <c>fetch</c>, and for no other origin than
/// a registered single-page app's (see <see cref="SinglePageAppOrigins"/>):
/// <list type="bullet">
/// <item>token and revocation: the origin of one of the requesting client's SPA redirect URIs (the <c>client_id</c> of
/// the form), as Entra ID allows cross-origin redemption for the single-page-app platform only;</item>
/// <item>discovery, keys and userinfo: the origin of any SPA that may use the tenant (no client is named there);</item>
/// <item>a preflight, which names no client either: the tenant's SPA origins, with the methods of that endpoint.</item>
/// </list>
/// Credentials (cookies) are never allowed cross-origin, and the sign-in pages get no CORS at all. A request without
/// an <c>Origin</c> header (every server-side client) passes untouched.
/// </summary>
public sealed class SinglePageAppCorsMiddleware(RequestDelegate next, SinglePageAppOrigins origins, IOptionsMonitor<OpenIddictServerOptions> server)
{
    private const string AllowedRequestHeaders = "Authorization, Content-Type";

    // Long enough to spare a page one preflight per token call, short enough that a removed redirect URI stops counting.
    private const string PreflightMaxAgeSeconds = "600";

    private enum Endpoint
    {
        None,
        ClientBound,
        TenantBound,
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tenant = context.GetTenant();
        string[] methods = [];
        var endpoint = tenant is null ? Endpoint.None : Classify(context.Request.Path, server.CurrentValue, out methods);
        if (endpoint == Endpoint.None)
        {
            await next(context);
            return;
        }

        // The answer depends on Origin from here on, whoever asks: caches must keep one copy per origin.
        context.Response.OnStarting(static state =>
        {
            ((HttpContext)state).Response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
            return Task.CompletedTask;
        }, context);

        string? origin = context.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin))
        {
            await next(context);
            return;
        }

        var aborted = context.RequestAborted;
        if (HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
        {
            var requested = context.Request.Headers.AccessControlRequestMethod.ToString();
            if (!methods.Contains(requested, StringComparer.Ordinal) || !await origins.IsRegisteredForTenantAsync(tenant!.Id, origin, aborted))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowMethods = string.Join(", ", methods);
            headers.AccessControlAllowHeaders = AllowedRequestHeaders;
            headers.AccessControlMaxAge = PreflightMaxAgeSeconds;
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var allowed = endpoint == Endpoint.ClientBound
            ? await ClientIdAsync(context.Request) is { } clientId && await origins.IsRegisteredForClientAsync(clientId, origin, aborted)
            : await origins.IsRegisteredForTenantAsync(tenant!.Id, origin, aborted);
        if (allowed)
        {
            context.Response.OnStarting(static state =>
            {
                var (http, allowedOrigin) = ((HttpContext, string))state;
                http.Response.Headers.AccessControlAllowOrigin = allowedOrigin;
                return Task.CompletedTask;
            }, (context, origin));
        }

        await next(context);
    }

    // Matched as OpenIddict matches its relative endpoint paths: ignoring case and a final slash.
    private static Endpoint Classify(PathString path, OpenIddictServerOptions options, out string[] methods)
    {
        var value = "/" + (path.Value ?? string.Empty).Trim('/');
        if (Matches(value, options.TokenEndpointUris) || Matches(value, options.RevocationEndpointUris))
        {
            methods = [HttpMethods.Post];
            return Endpoint.ClientBound;
        }

        if (Matches(value, options.ConfigurationEndpointUris) || Matches(value, options.JsonWebKeySetEndpointUris))
        {
            methods = [HttpMethods.Get];
            return Endpoint.TenantBound;
        }

        if (Matches(value, options.UserInfoEndpointUris))
        {
            methods = [HttpMethods.Get, HttpMethods.Post];
            return Endpoint.TenantBound;
        }

        methods = [];
        return Endpoint.None;
    }

    private static bool Matches(string path, IEnumerable<Uri> endpoints)
        => endpoints.Any(uri => !uri.IsAbsoluteUri && string.Equals("/" + uri.OriginalString.Trim('/'), path, StringComparison.OrdinalIgnoreCase));

    // A single-page app is a public client: it names itself in the form. The form is buffered by ASP.NET Core, so
    // OpenIddict reads the same one afterwards; a form that cannot be read is left for OpenIddict to refuse.
    private static async Task<string?> ClientIdAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return null;
        }

        try
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form.TryGetValue("client_id", out StringValues clientId) && clientId.Count == 1 ? clientId.ToString() : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
    }
}
