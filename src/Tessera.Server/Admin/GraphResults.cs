using System.Diagnostics;
using Tessera.Policy.Errors;

namespace Tessera.Server.Admin;

/// <summary>Responses in Microsoft Graph's shapes: errors as <c>{"error":{"code","message","innerError"}}</c>.</summary>
public static class GraphResults
{
    public static IResult Error(int status, TesseraError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Results.Json(new
        {
            error = new
            {
                code = error.OAuthError,
                message = error.Description,
                innerError = new
                {
                    date = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    requestId = Activity.Current?.TraceId.ToString(),
                    tesseraCode = error.Code,
                },
            },
        }, statusCode: status);
    }

    public static IResult BadRequest(TesseraError error) => Error(StatusCodes.Status400BadRequest, error);

    public static IResult NotFound(string id) => Error(StatusCodes.Status404NotFound, AdminErrors.NotFound.With(id));

    public static IResult Forbidden(TesseraError error) => Error(StatusCodes.Status403Forbidden, error);

    /// <summary>The weak ETag of a resource version.</summary>
    public static string ETag(Guid stamp) => $"W/\"{stamp:N}\"";

    /// <summary>Whether the request's If-Match allows changing the version <paramref name="stamp"/> (no If-Match: yes).</summary>
    public static bool IfMatchAllows(HttpRequest request, Guid stamp)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifMatch = request.Headers.IfMatch.ToString();
        return string.IsNullOrEmpty(ifMatch) || ifMatch == "*" ||
               ifMatch.Split(',').Select(v => v.Trim()).Any(v => v == ETag(stamp) || v == $"\"{stamp:N}\"");
    }
}
