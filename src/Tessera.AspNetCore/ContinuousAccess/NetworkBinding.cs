using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>
/// Where a token may be used under Conditional Access strict location enforcement: the claim <c>xms_tessera_ipr</c>,
/// one string per binding policy with its CIDR ranges separated by spaces. A request's address must be inside some
/// range of every string. A value that does not parse binds to nothing: such a token is refused everywhere.
/// </summary>
internal sealed class NetworkBinding
{
    public const string ClaimType = "xms_tessera_ipr";

    private readonly IPNetwork[][] _policies;

    private NetworkBinding(IPNetwork[][] policies) => _policies = policies;

    /// <summary>The token's binding, or null when it carries none.</summary>
    public static NetworkBinding? Of(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<string[]>(ClaimType, out var values) || values is null || values.Length == 0)
        {
            return null;
        }

        return new NetworkBinding([.. values.Select(Parse)]);
    }

    public bool Allows(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var normalised = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var ranges in _policies)
        {
            if (!ranges.Any(r => r.Contains(normalised)))
            {
                return false;
            }
        }

        return true;
    }

    private static IPNetwork[] Parse(string? value)
    {
        var ranges = new List<IPNetwork>();
        foreach (var text in (value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPNetwork.TryParse(text, out var range))
            {
                return [];
            }

            ranges.Add(range);
        }

        return [.. ranges];
    }
}
