namespace Tessera.Server.Security;

/// <summary>
/// Headers on every response: nothing is framed, sniffed, cached or leaked through the referrer. Pages get a strict
/// content security policy. Scripts come from this site only (the passkey script, which also fetches its options from
/// this site); OpenIddict's form_post response has the one inline script (the auto-submit), allowed by its hash alone.
/// Over HTTPS, browsers are told to come back over HTTPS only, for a year (HSTS), except on <c>localhost</c>, where it would
/// stay with the developer's browser for every other local site (browsers ignore it on IP addresses anyway).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // SHA-256 of OpenIddict's form_post auto-submit script, "document.form.submit();" (checked by a browser test).
    private const string FormPostScriptHash = "'sha256-j7OoGArf6XW6YY4cAyS3riSSvrJRqpSi1fOF9vQ5SrI='";

    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; script-src 'self' " + FormPostScriptHash;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            if (context.Request.IsHttps && !string.Equals(context.Request.Host.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            if (!headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
