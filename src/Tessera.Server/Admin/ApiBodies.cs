using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;

namespace Tessera.Server.Admin;

/// <summary>Reads admin API request bodies and their properties, turning every malformed value into an error that names it.</summary>
public static class ApiBodies
{
    public static async Task<(JsonObject? Json, TesseraError? Error)> ReadObjectAsync(HttpContext http, bool allowEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (allowEmpty && http.Request.ContentLength is 0 or null && !http.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return ([], null);
        }

        if (!(http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return (null, RegistrationErrors.Malformed.With("send Content-Type: application/json."));
        }

        try
        {
            var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return node is JsonObject json ? (json, null) : (null, RegistrationErrors.Malformed.With("the body must be a JSON object."));
        }
        catch (JsonException exception)
        {
            return (null, RegistrationErrors.Malformed.With(exception.Message.Split('.')[0] + "."));
        }
    }

    public static string? OptionalString(JsonObject json, string name, int maximumLength, out TesseraError? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        error = null;
        if (!json.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String || node.GetValue<string>().Length > maximumLength ||
            node.GetValue<string>().Contains('\0', StringComparison.Ordinal))
        {
            error = RegistrationErrors.Malformed.With($"'{name}' must be text of at most {maximumLength} characters, without NUL.");
            return null;
        }

        return node.GetValue<string>();
    }

    public static bool? OptionalBool(JsonObject json, string name, out TesseraError? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        error = null;
        if (!json.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = RegistrationErrors.Malformed.With($"'{name}' must be true or false.");
            return null;
        }

        return node.GetValue<bool>();
    }

    public static DateTimeOffset? OptionalDate(JsonObject json, string name, out TesseraError? error)
    {
        var text = OptionalString(json, name, 64, out error);
        if (text is null || error is not null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value))
        {
            error = RegistrationErrors.Malformed.With($"'{name}' must be an ISO 8601 date and time.");
            return null;
        }

        return value.ToUniversalTime();
    }

    public static Guid RequiredGuid(JsonObject json, string name, out TesseraError? error)
    {
        var text = OptionalString(json, name, 64, out error);
        if (error is null && Guid.TryParse(text, out var value))
        {
            return value;
        }

        error ??= RegistrationErrors.Malformed.With($"'{name}' is required and must be a GUID.");
        return Guid.Empty;
    }

    /// <summary>An array of strings, or null when absent; each at most 2048 characters, 256 items at most.</summary>
    public static List<string>? OptionalStrings(JsonObject? json, string name, out TesseraError? error)
    {
        error = null;
        if (json is null || !json.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Count > 256 ||
            array.Any(item => item is null || item.GetValueKind() != JsonValueKind.String || item.GetValue<string>().Length > 2048 ||
                              item.GetValue<string>().Contains('\0', StringComparison.Ordinal)))
        {
            error = RegistrationErrors.Malformed.With($"'{name}' must be an array of at most 256 strings.");
            return null;
        }

        return [.. array.Select(item => item!.GetValue<string>())];
    }

    /// <summary>The text of a node that is a JSON string; null for anything else (a number, an object, absent).</summary>
    public static string? Text(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.String && !value.GetValue<string>().Contains('\0', StringComparison.Ordinal)
            ? value.GetValue<string>()
            : null;
}
