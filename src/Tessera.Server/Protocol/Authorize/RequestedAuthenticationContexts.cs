using System.Text.Json;
using OpenIddict.Abstractions;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>
/// The authentication contexts a client asks for with the <c>claims</c> parameter, as an API's claims challenge hands
/// them over: <c>{"access_token":{"acrs":{"essential":true,"value":"c1"}}}</c> (or <c>"values":["c1","c2"]</c>).
/// A <c>claims</c> parameter that is not JSON asks for none, as claims requests are voluntary.
/// </summary>
public static class RequestedAuthenticationContexts
{
    private const int MaxLength = 4096;

    public static IReadOnlySet<string> Of(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contexts = new HashSet<string>(StringComparer.Ordinal);
        if (request.GetParameter(OpenIddictConstants.Parameters.Claims) is not { } parameter)
        {
            return contexts;
        }

        JsonElement claims;
        try
        {
            var element = (JsonElement)parameter;
            if (element.ValueKind == JsonValueKind.String)
            {
                if (element.GetString() is not { Length: > 0 and <= MaxLength } text)
                {
                    return contexts;
                }

                using var document = JsonDocument.Parse(text);
                claims = document.RootElement.Clone();
            }
            else
            {
                claims = element;
            }
        }
        catch (JsonException)
        {
            return contexts;
        }

        if (claims.ValueKind == JsonValueKind.Object &&
            claims.TryGetProperty("access_token", out var accessToken) && accessToken.ValueKind == JsonValueKind.Object &&
            accessToken.TryGetProperty("acrs", out var acrs) && acrs.ValueKind == JsonValueKind.Object)
        {
            if (acrs.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                Add(contexts, value.GetString());
            }

            if (acrs.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String))
                {
                    Add(contexts, item.GetString());
                }
            }
        }

        return contexts;
    }

    // Context ids are c1..c99: anything longer is not one, and a request cannot grow the set without bound.
    private static void Add(HashSet<string> contexts, string? id)
    {
        if (id is { Length: > 0 and <= 8 } && contexts.Count < 100)
        {
            contexts.Add(id);
        }
    }
}
