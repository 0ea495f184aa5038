using System.Text.Encodings.Web;

namespace Tessera.Server.Failures;

/// <summary>
/// The page a browser sees when an authorization or sign-out request cannot be answered to the application
/// (unknown client, unregistered redirect URI): the OAuth error and its sentence, never a redirect to an unchecked address.
/// </summary>
public static class ErrorPage
{
    public static async Task WriteAsync(HttpContext context, string error, string? description)
    {
        ArgumentNullException.ThrowIfNull(context);
        var html = HtmlEncoder.Default;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>Request refused · Tessera</title>
                <link rel="stylesheet" href="{html.Encode(context.Request.PathBase + "/css/site.css")}" />
            </head>
            <body>
                <main class="card">
                    <p class="brand">Tessera</p>
                    <h1>This request cannot be completed</h1>
                    <p class="error" role="alert"><code id="error">{html.Encode(error)}</code>: <span id="error_description">{html.Encode(description ?? string.Empty)}</span></p>
                    <p class="muted">Go back to the application and try again. If it happens again, give the application's developer the text above.</p>
                </main>
            </body>
            </html>
            """, context.RequestAborted);
    }
}
