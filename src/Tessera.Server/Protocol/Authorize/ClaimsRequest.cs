using System.Text.Json;
using OpenIddict.Abstractions;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>
/// The <c>claims</c> parameter of an authorization request (OIDC Core §5.5): which values a client asks for one claim
/// of one target, e.g. <c>acr</c> of <c>id_token</c> or <c>acrs</c> of <c>access_token</c>, given as <c>value</c> or
/// <c>values</c>. A parameter that is not a JSON object (or is longer than 4096 characters) asks for nothing, as claims
/// requests are voluntary.
/// </summary>
public static class ClaimsRequest
{
    private const int MaxLength = 4096;

    /// <summary>The string values asked for <paramref name="claim"/> in any of <paramref name="targets"/>.</summary>
    public static List<string> Values(OpenIddictParameter? parameter, string claim, params string[] targets)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(targets);
        var values = new List<string>();
        if (Read(parameter) is not { ValueKind: JsonValueKind.Object } claims)
        {
            return values;
        }

        foreach (var target in targets)
        {
            if (claims.TryGetProperty(target, out var members) && members.ValueKind == JsonValueKind.Object &&
                members.TryGetProperty(claim, out var request) && request.ValueKind == JsonValueKind.Object)
            {
                if (request.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
                {
                    values.Add(value.GetString()!);
                }

                if (request.TryGetProperty("values", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    values.AddRange(list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!));
                }
            }
        }

        return values;
    }

    /// <summary>The time an API's claims challenge asks the access token's authentication to be no older than (<c>access_token.nbf</c>).</summary>
    public static string? AccessTokenNotBefore(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Values(request.GetParameter(OpenIddictConstants.Parameters.Claims), "nbf", "access_token").FirstOrDefault();
    }

    private static JsonElement? Read(OpenIddictParameter? parameter)
    {
        if (parameter is not { } claimsParameter)
        {
            return null;
        }

        try
        {
            var element = (JsonElement)claimsParameter;
            if (element.ValueKind != JsonValueKind.String)
            {
                return element;
            }

            if (element.GetString() is not { Length: > 0 and <= MaxLength } text)
            {
                return null;
            }

            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
