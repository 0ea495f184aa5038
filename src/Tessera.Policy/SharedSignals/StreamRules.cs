using System.Net;
using Tessera.Policy.Errors;

namespace Tessera.Policy.SharedSignals;

/// <summary>Rules for what a receiver may ask of a stream.</summary>
public static class StreamRules
{
    public const int MaximumStreamsPerApplication = 100;
    public const int MaximumAuthorizationHeaderLength = 4096;
    public const int MaximumEventTypes = 32;

    /// <summary>
    /// A push endpoint is an absolute https URL, or http to a loopback host; no user info, no fragment; not an address no
    /// API lives at (<see cref="IsUnfitReceiverAddress"/>).
    /// </summary>
    public static TesseraError? CheckPushEndpoint(string? endpoint)
    {
        var refused = SharedSignalsErrors.PushEndpointInvalid.With(endpoint ?? string.Empty);
        if (string.IsNullOrWhiteSpace(endpoint) || endpoint.Length > 2048 ||
            !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return refused;
        }

        if (IPAddress.TryParse(uri.IdnHost, out var literal) && IsUnfitReceiverAddress(literal))
        {
            return SharedSignalsErrors.PushEndpointAddressUnfit.With(endpoint, literal);
        }

        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)) ? null : refused;
    }

    /// <summary>
    /// Addresses the transmitter never posts to, whatever name led there: unspecified, link-local (where cloud metadata
    /// services answer, 169.254.169.254 and fd00:ec2::254 among them), multicast and broadcast. Loopback and private
    /// networks stay allowed: a self-hosted API usually lives there.
    /// </summary>
    public static bool IsUnfitReceiverAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 0 || (bytes[0] == 169 && bytes[1] == 254) || bytes[0] >= 224;
        }

        return address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6Multicast ||
               address.Equals(AwsMetadataV6);
    }

    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback && (string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase) ||
                              (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address)));
}
