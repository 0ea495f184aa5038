using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Policy.Errors;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>What a body sets on an IP named location; null for what it leaves as it is.</summary>
public sealed record NamedLocationChange(string? DisplayName, bool? IsTrusted, IReadOnlyList<IPNetwork>? Ranges);

/// <summary>What a body sets on an authentication context; null for what it leaves as it is.</summary>
public sealed record AuthenticationContextChange(string? DisplayName, string? Description, bool ClearsDescription, bool? IsAvailable);

/// <summary>
/// Graph's <c>ipNamedLocation</c> and <c>authenticationContextClassReference</c> bodies. Only IP named locations exist:
/// Tessera has no geolocation data, so a country location is refused rather than stored to match nothing.
/// </summary>
public static class NamedLocationDocuments
{
    public const string IpNamedLocationType = "#microsoft.graph.ipNamedLocation";
    public const string CountryNamedLocationType = "#microsoft.graph.countryNamedLocation";
    public const string IPv4RangeType = "#microsoft.graph.iPv4CidrRange";
    public const string IPv6RangeType = "#microsoft.graph.iPv6CidrRange";
    public const int MaximumRanges = 2000;

    private static readonly string[] LocationReadOnly = ["id", "createdDateTime", "modifiedDateTime"];

    /// <summary>A named location body; <paramref name="creating"/> makes displayName and ipRanges required.</summary>
    public static (NamedLocationChange? Change, TesseraError? Error) ReadLocation(JsonObject json, bool creating)
    {
        ArgumentNullException.ThrowIfNull(json);
        var type = json["@odata.type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        if (type is not null && type != IpNamedLocationType)
        {
            return (null, ConditionalAccessErrors.CountryLocationUnsupported.With(type));
        }

        if (json.ContainsKey("countriesAndRegions") || json.ContainsKey("countryLookupMethod") || json.ContainsKey("includeUnknownCountriesAndRegions"))
        {
            return (null, ConditionalAccessErrors.CountryLocationUnsupported.With(CountryNamedLocationType));
        }

        var unknown = json.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('@') && k is not ("displayName" or "isTrusted" or "ipRanges") && !LocationReadOnly.Contains(k));
        if (unknown is not null)
        {
            return (null, ConditionalAccessErrors.LocationPropertyUnknown.With(unknown));
        }

        string? displayName = null;
        if (json.ContainsKey("displayName") || creating)
        {
            displayName = json["displayName"] is JsonValue name && name.GetValueKind() == JsonValueKind.String ? name.GetValue<string>().Trim() : null;
            if (string.IsNullOrEmpty(displayName) || displayName.Length > 256 || displayName.Contains('\0', StringComparison.Ordinal))
            {
                return (null, ConditionalAccessErrors.LocationDisplayNameRequired);
            }
        }

        bool? trusted = null;
        if (json["isTrusted"] is { } trustedNode)
        {
            if (trustedNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, ConditionalAccessErrors.Shape.With("isTrusted", "true or false"));
            }

            trusted = trustedNode.GetValue<bool>();
        }

        List<IPNetwork>? ranges = null;
        if (json.ContainsKey("ipRanges") || creating)
        {
            if (json["ipRanges"] is not JsonArray array || array.Count is 0 or > MaximumRanges)
            {
                return (null, ConditionalAccessErrors.IpRangesRequired);
            }

            ranges = [];
            foreach (var item in array)
            {
                var (range, error) = ReadRange(item);
                if (error is not null)
                {
                    return (null, error);
                }

                if (!ranges.Contains(range))
                {
                    ranges.Add(range);
                }
            }
        }

        return (new NamedLocationChange(displayName, trusted, ranges), null);
    }

    /// <summary>An ipNamedLocation as Graph shows it.</summary>
    public static JsonObject WriteLocation(NamedLocation location, DateTimeOffset created, DateTimeOffset modified)
    {
        ArgumentNullException.ThrowIfNull(location);
        return new JsonObject
        {
            ["@odata.type"] = IpNamedLocationType,
            ["id"] = location.Id.ToString("D"),
            ["displayName"] = location.DisplayName,
            ["createdDateTime"] = created.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["modifiedDateTime"] = modified.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["isTrusted"] = location.IsTrusted,
            ["ipRanges"] = new JsonArray([.. location.Ranges.Select(r => (JsonNode?)new JsonObject
            {
                ["@odata.type"] = r.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? IPv4RangeType : IPv6RangeType,
                ["cidrAddress"] = r.ToString(),
            })]),
        };
    }

    /// <summary>Parses a CIDR range as stored (<c>10.0.0.0/8</c>); refuses a network with host bits set.</summary>
    public static bool TryParseCidr(string? text, out IPNetwork network)
    {
        network = default;
        return text is not null && text.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(text, out network) &&
               IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out var address) && address.Equals(network.BaseAddress);
    }

    /// <summary>An authentication context body (PATCH or PUT by id); <paramref name="creating"/> makes displayName required.</summary>
    public static (AuthenticationContextChange? Change, TesseraError? Error) ReadContext(JsonObject json, string id, bool creating)
    {
        ArgumentNullException.ThrowIfNull(json);
        var unknown = json.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('@') && k is not ("displayName" or "description" or "isAvailable" or "id"));
        if (unknown is not null)
        {
            return (null, ConditionalAccessErrors.ContextPropertyUnknown.With(unknown));
        }

        if (json.ContainsKey("id") && !(json["id"] is JsonValue sent && sent.GetValueKind() == JsonValueKind.String && sent.GetValue<string>() == id))
        {
            return (null, ConditionalAccessErrors.ReadOnlyProperty.With("id"));
        }

        string? displayName = null;
        if (json.ContainsKey("displayName") || creating)
        {
            displayName = json["displayName"] is JsonValue name && name.GetValueKind() == JsonValueKind.String ? name.GetValue<string>().Trim() : null;
            if (string.IsNullOrEmpty(displayName) || displayName.Length > 256 || displayName.Contains('\0', StringComparison.Ordinal))
            {
                return (null, ConditionalAccessErrors.ContextDisplayNameRequired);
            }
        }

        string? description = null;
        var clears = json.ContainsKey("description") && json["description"] is null;
        if (json["description"] is { } descriptionNode)
        {
            if (descriptionNode.GetValueKind() != JsonValueKind.String || descriptionNode.GetValue<string>().Length > 1024)
            {
                return (null, ConditionalAccessErrors.Shape.With("description", "text of at most 1024 characters, or null"));
            }

            description = descriptionNode.GetValue<string>();
        }

        bool? available = null;
        if (json["isAvailable"] is { } availableNode)
        {
            if (availableNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, ConditionalAccessErrors.Shape.With("isAvailable", "true or false"));
            }

            available = availableNode.GetValue<bool>();
        }

        return (new AuthenticationContextChange(displayName, description, clears, available), null);
    }

    private static (IPNetwork Range, TesseraError? Error) ReadRange(JsonNode? item)
    {
        if (item is not JsonObject range)
        {
            return (default, ConditionalAccessErrors.IpRangesRequired);
        }

        var unknown = range.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('@') && k != "cidrAddress");
        if (unknown is not null)
        {
            return (default, ConditionalAccessErrors.LocationPropertyUnknown.With("ipRanges." + unknown));
        }

        var cidr = range["cidrAddress"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (!TryParseCidr(cidr, out var network))
        {
            return (default, ConditionalAccessErrors.CidrInvalid.With(cidr ?? "(none)"));
        }

        var declared = range["@odata.type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        var actual = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? IPv4RangeType : IPv6RangeType;
        if (declared is not null && declared != actual)
        {
            return (default, ConditionalAccessErrors.CidrFamily.With(cidr!, actual == IPv4RangeType ? "IPv4" : "IPv6", declared));
        }

        return (network, null);
    }
}
