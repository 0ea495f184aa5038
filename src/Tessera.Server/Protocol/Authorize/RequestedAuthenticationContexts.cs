using OpenIddict.Abstractions;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>
/// The authentication contexts a client asks for with the <c>claims</c> parameter, as an API's claims challenge hands
/// them over: <c>{"access_token":{"acrs":{"essential":true,"value":"c1"}}}</c> (or <c>"values":["c1","c2"]</c>).
/// A <c>claims</c> parameter that is not JSON asks for none, as claims requests are voluntary.
/// </summary>
public static class RequestedAuthenticationContexts
{
    public static IReadOnlySet<string> Of(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contexts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ClaimsRequest.Values(request.GetParameter(OpenIddictConstants.Parameters.Claims), "acrs", "access_token"))
        {
            Add(contexts, id);
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
