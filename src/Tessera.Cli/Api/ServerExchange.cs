using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Api;

/// <summary>
/// One HTTP exchange with the server, with every way it can go wrong turned into a <see cref="CommandFailure"/>:
/// unreachable or timed out (exit 4), a 4xx (exit 3) or 5xx (exit 4) carrying the server's own message when it sent
/// one in Graph's <c>{"error":{"message"}}</c> or OAuth's <c>{"error","error_description"}</c> shape.
/// </summary>
internal static class ServerExchange
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        var origin = request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "the server";
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw CommandFailure.Unavailable(CliErrors.ServerUnreachable.With(origin, Reason(exception)));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw CommandFailure.Unavailable(CliErrors.Interrupted.With(origin, $"no answer within {http.Timeout.TotalSeconds:0} seconds."));
        }
    }

    /// <summary>Throws the failure a non-success response stands for; returns for 2xx.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var message = ServerMessage(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var where = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
        message ??= CliErrors.HttpStatus.With(where, status, response.ReasonPhrase ?? response.StatusCode.ToString()).Description;
        throw status is >= 400 and < 500 ? CommandFailure.Refused(message) : CommandFailure.Unavailable(message);
    }

    /// <summary>Reads a JSON object body; an empty body (204) gives null.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject
                   ?? throw new JsonException("the body is not a JSON object.");
        }
        catch (JsonException exception)
        {
            var where = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
            throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(where, OneLine(exception.Message)));
        }
    }

    /// <summary>The OAuth <c>error</c> code of a 4xx answer (RFC 6749 §5.2), or null when it carries none.</summary>
    public static async Task<string?> OAuthErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if ((int)response.StatusCode is < 400 or >= 500)
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return json?["error"] is JsonValue value && value.TryGetValue<string>(out var code) ? code : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>error_description</c> of an OAuth error answer, on one line, or the status when it has none.</summary>
    public static async Task<string> OAuthDescriptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var error = json?["error"] is JsonValue e && e.TryGetValue<string>(out var code) ? code : null;
            var description = json?["error_description"] is JsonValue d && d.TryGetValue<string>(out var text) ? OneLine(text) : null;
            return (error, description) switch
            {
                (null, _) => $"HTTP {(int)response.StatusCode}.",
                (_, null) => error + ".",
                _ when description.StartsWith("TSR", StringComparison.Ordinal) => description.TrimEnd('.') + ".",
                _ => $"{error}: {description.TrimEnd('.')}.",
            };
        }
        catch (JsonException)
        {
            return $"HTTP {(int)response.StatusCode}.";
        }
    }

    /// <summary>The person-readable message of an error body, in Graph's or OAuth's shape.</summary>
    private static string? ServerMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(body);
            var graphMessage = json?["error"] is JsonObject error ? error["message"]?.GetValue<string>() : null;
            if (!string.IsNullOrWhiteSpace(graphMessage))
            {
                return OneLine(graphMessage);
            }

            var oauthError = json?["error"] is JsonValue value && value.TryGetValue<string>(out var code) ? code : null;
            var description = json?["error_description"] is JsonValue d && d.TryGetValue<string>(out var text) ? text : null;
            return oauthError is null ? null
                : description is null ? CliErrors.SignInRefused.With(oauthError).Description
                : description.StartsWith("TSR", StringComparison.Ordinal) ? OneLine(description)
                : CliErrors.SignInRefused.With($"{oauthError}: {OneLine(description)}").Description;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Messages are printed as one line, whatever the server or the runtime put in them.</summary>
    public static string OneLine(string text)
        => string.Join(' ', (text ?? string.Empty).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Reason(HttpRequestException exception)
        => exception.InnerException is SocketException socket ? socket.Message
            : exception.StatusCode is HttpStatusCode code ? code.ToString()
            : OneLine(exception.InnerException?.Message ?? exception.Message);
}
