namespace Tessera.Server.Security;

/// <summary>
/// Headers on every response: nothing is framed, sniffed, cached or leaked through the referrer. Pages get a strict
/// content security policy. Scripts come from this site only (the passkey script, which also fetches its options from
/// this site); OpenIddict's form_post response has the one inline script (the auto-submit), allowed by its hash alone.
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
            var headers = ((HttpContext)state).Response.Headers;
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
