using System.Net;

namespace Tessera.Policy.SignIns;

/// <summary>A client's address as Tessera compares, logs and matches it: an IPv4 address mapped into IPv6 as plain IPv4.</summary>
public static class ClientAddress
{
    public static IPAddress? Normalize(IPAddress? address)
        => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    /// <summary>The normalised address as text; empty when unknown.</summary>
    public static string Text(IPAddress? address) => Normalize(address)?.ToString() ?? string.Empty;
}
