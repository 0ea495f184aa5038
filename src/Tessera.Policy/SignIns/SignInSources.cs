using System.Net;
using System.Net.Sockets;

namespace Tessera.Policy.SignIns;

/// <summary>
/// Where a sign-in comes from, as smart lockout and spray detection count it: the IPv4 /24 or IPv6 /64 network, since
/// one home, office or attacker's host holds a whole such network. Loopback addresses are each their own source, so that
/// a single machine can stand for several (tests, local development).
/// </summary>
public static class SignInSources
{
    public const int MaxLength = 64;

    /// <summary>The source of <paramref name="address"/> as CIDR text (<c>203.0.113.0/24</c>), or empty when unknown.</summary>
    public static string Of(IPAddress? address)
    {
        address = ClientAddress.Normalize(address);
        if (address is null)
        {
            return string.Empty;
        }

        if (IPAddress.IsLoopback(address))
        {
            return address.AddressFamily == AddressFamily.InterNetwork ? $"{address}/32" : $"{address}/128";
        }

        var bytes = address.GetAddressBytes();
        var (keep, bits) = address.AddressFamily == AddressFamily.InterNetwork ? (3, 24) : (8, 64);
        bytes.AsSpan(keep).Clear();
        return $"{new IPAddress(bytes)}/{bits}";
    }

    /// <summary>The source of an address written as text (as the sign-in log stores it), or empty when it is not one.</summary>
    public static string Of(string? address) => IPAddress.TryParse(address, out var parsed) ? Of(parsed) : string.Empty;
}
