using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.ContinuousAccess;

namespace Tessera.AspNetCore;

/// <summary>Serves the push endpoint of Continuous Access Evaluation.</summary>
public static class TesseraSharedSignalsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST</c> at the path of each scheme's <see cref="TesseraContinuousAccessOptions.PushEndpoint"/> (schemes
    /// that receive by push), where the Tessera server delivers security event tokens (RFC 8935). The endpoint is
    /// authenticated by the header the API gave for its stream, not by the API's authorization policies. Nothing is
    /// mapped for schemes that poll or do not receive events.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <returns>A builder for the mapped endpoints.</returns>
    public static IEndpointConventionBuilder MapTesseraSharedSignals(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty);
        var mapped = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var receiver in endpoints.ServiceProvider.GetServices<SharedSignalsReceiver>())
        {
            if (receiver.PushPath is not { } path)
            {
                continue;
            }

            // Each stream has its own Authorization header: two schemes cannot share one path.
            if (!mapped.TryAdd(path, receiver.Scheme))
            {
                throw new InvalidOperationException(Diagnostics.TesseraApiErrors.Format(Diagnostics.TesseraApiErrors.ContinuousAccessPushPathShared, path, mapped[path], receiver.Scheme));
            }

            group.MapPost(path, (HttpContext http) => ReceiveAsync(receiver, http)).AllowAnonymous().ExcludeFromDescription();
        }

        return group;
    }

    private static async Task ReceiveAsync(SharedSignalsReceiver receiver, HttpContext http)
    {
        var body = await ReadBodyAsync(http.Request).ConfigureAwait(false);
        var (status, rejection) = body is null
            ? (400, new SetRejection(SetRejection.InvalidRequest, Diagnostics.TesseraApiErrors.SetMalformed))
            : await receiver.ReceiveAsync(http.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null,
                http.Request.ContentType, body, http.RequestAborted).ConfigureAwait(false);
        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        if (rejection is not null)
        {
            await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["err"] = rejection.Err, ["description"] = rejection.Description }, http.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The body as text, or null when it is longer than any SET the receiver accepts.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > SecurityEventValidator.MaximumLength)
        {
            return null;
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[SecurityEventValidator.MaximumLength + 1];
        var read = 0;
        int count;
        while (read < buffer.Length && (count = await reader.ReadAsync(buffer.AsMemory(read), request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += count;
        }

        return read > SecurityEventValidator.MaximumLength ? null : new string(buffer, 0, read).Trim();
    }
}
