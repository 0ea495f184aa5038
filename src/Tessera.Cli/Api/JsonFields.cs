using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Cli.Api;

/// <summary>Reads the fields of admin API resources leniently: a missing or differently typed field reads as absent.</summary>
internal static class JsonFields
{
    public static string? Text(this JsonNode? node, string name)
        => node is JsonObject json && json[name] is JsonValue value
            ? value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
                _ => null,
            }
            : null;

    public static DateTimeOffset? Date(this JsonNode? node, string name)
        => node.Text(name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    public static bool? Flag(this JsonNode? node, string name)
        => node is JsonObject json && json[name] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? value.GetValue<bool>()
            : null;

    public static IReadOnlyList<string> Strings(this JsonNode? node, string name)
        => node is JsonObject json && json[name] is JsonArray array
            ? [.. array.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>())]
            : [];

    public static IReadOnlyList<JsonObject> Objects(this JsonNode? node, string name)
        => node is JsonObject json && json[name] is JsonArray array ? [.. array.OfType<JsonObject>()] : [];

    /// <summary>A date as the tables show it: UTC, to the second.</summary>
    public static string Display(this DateTimeOffset? date)
        => date?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty;
}
