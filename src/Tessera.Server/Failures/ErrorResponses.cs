using System.Diagnostics;
using System.Text.Json;
using Tessera.Policy.Errors;

namespace Tessera.Server.Failures;

/// <summary>
/// Errors outside OpenIddict's pipeline, in the same shape as Entra ID's: an OAuth error code, a sentence that starts
/// with Tessera's numbered code, and a trace id to quote. Never a stack trace.
/// </summary>
public static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, int status, TesseraError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object>
        {
            ["error"] = error.OAuthError,
            ["error_description"] = error.Description,
            ["error_codes"] = new[] { error.Code },
            ["trace_id"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
        };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
