using System.Net;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>Graph's <c>ipNamedLocation</c>: IP ranges (CIDR), trusted or not.</summary>
public sealed record NamedLocation(Guid Id, string DisplayName, bool IsTrusted, IReadOnlyList<IPNetwork> Ranges)
{
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var normalised = SignIns.ClientAddress.Normalize(address)!;
        return Ranges.Any(range => range.Contains(normalised));
    }
}
