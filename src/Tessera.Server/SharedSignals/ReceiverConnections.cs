using System.Net;
using System.Net.Sockets;
using Tessera.Policy.SharedSignals;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// How push delivery connects: the receiver's host name is resolved here and only addresses fit for an API are dialled
/// (<see cref="StreamRules.IsUnfitReceiverAddress"/>), so a name that resolves, or later re-resolves, to a cloud
/// metadata service or another link-local address never receives a request from the transmitter.
/// </summary>
internal static class ReceiverConnections
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var resolved = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var fit = resolved.Where(a => !StreamRules.IsUnfitReceiverAddress(a)).ToArray();
        if (fit.Length == 0)
        {
            throw new HttpRequestException(
                $"{SharedSignalsErrors.PushEndpointAddressUnfit.Code}: the receiver's host '{host}' resolves to no address Tessera delivers to ({string.Join(", ", resolved.Select(a => a.ToString()))}).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(fit, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
