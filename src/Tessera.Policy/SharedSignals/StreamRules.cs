using System.Net;
using Tessera.Policy.Errors;

namespace Tessera.Policy.SharedSignals;

/// <summary>Rules for what a receiver may ask of a stream.</summary>
public static class StreamRules
{
    public const int MaximumStreamsPerApplication = 100;
    public const int MaximumAuthorizationHeaderLength = 4096;
    public const int MaximumEventTypes = 32;

    /// <summary>A push endpoint is an absolute https URL, or http to a loopback host; no user info, no fragment.</summary>
    public static TesseraError? CheckPushEndpoint(string? endpoint)
    {
        var refused = SharedSignalsErrors.PushEndpointInvalid.With(endpoint ?? string.Empty);
        if (string.IsNullOrWhiteSpace(endpoint) || endpoint.Length > 2048 ||
            !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return refused;
        }

        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)) ? null : refused;
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback && (string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase) ||
                              (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address)));
}
