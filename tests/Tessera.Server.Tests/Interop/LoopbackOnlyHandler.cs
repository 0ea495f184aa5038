using System.Collections.Concurrent;
using System.Net;
using Microsoft.Identity.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// The HTTP stack handed to a client library under test: it trusts the test server's certificate (and nothing else that
/// is not trusted already), records every request the library makes, and refuses — before anything is sent — a
/// request to any host that is not on this machine. A library that wants to phone home (instance discovery at
/// login.microsoftonline.com, say) is caught here and shows up in <see cref="Refused"/>.
/// </summary>
public sealed class LoopbackOnlyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public LoopbackOnlyHandler(HttpsServerFixture server)
        : this(server.CreateHandler())
    {
    }

    /// <summary>Requests sent to the loopback host, in order: method and absolute URL (query included).</summary>
    public ConcurrentQueue<(HttpMethod Method, Uri Url)> Sent { get; } = new();

    /// <summary>Requests refused because they would have left the machine.</summary>
    public ConcurrentQueue<Uri> Refused { get; } = new();

    /// <summary>The bodies of the form posts sent (token, introspection, revocation requests), in order.</summary>
    public ConcurrentQueue<string> FormBodies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri!;
        if (!IsLoopback(url))
        {
            Refused.Enqueue(url);
            throw new HttpRequestException($"The interop tests send nothing off this machine; refused {url.GetLeftPart(UriPartial.Path)}.");
        }

        Sent.Enqueue((request.Method, url));
        if (request.Content is { Headers.ContentType.MediaType: "application/x-www-form-urlencoded" } content)
        {
            // Buffered so that the inner handler can still send it.
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            FormBodies.Enqueue(await content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsLoopback(Uri url)
        => url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

/// <summary>MSAL.NET's HTTP hook (<c>WithHttpClientFactory</c>): one client over a <see cref="LoopbackOnlyHandler"/>.</summary>
public sealed class MsalHttpClients(LoopbackOnlyHandler handler) : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client = new(handler, disposeHandler: false);

    public LoopbackOnlyHandler Handler => handler;

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}
