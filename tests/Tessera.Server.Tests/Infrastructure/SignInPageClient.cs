using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>The outcome of one POST of the sign-in page.</summary>
public sealed record SignInPageResult(HttpStatusCode Status, string Body, bool SignedIn, TimeSpan Elapsed, string? RetryAfter);

/// <summary>
/// Signs in on the sign-in page over real HTTP from a chosen loopback address: the client socket is bound to
/// <c>127.0.0.2</c>, <c>127.0.0.3</c>... before it connects, so that one machine plays several sources (the server
/// counts each loopback address as a source of its own).
/// </summary>
public sealed partial class SignInPageClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _signInUrl;

    public SignInPageClient(TesseraServerFixture server, IPAddress source)
        : this((server ?? throw new ArgumentNullException(nameof(server))).TenantBase, source)
    {
    }

    /// <param name="tenantBase">The server's origin and tenant, <c>http://127.0.0.1:port/{tenantId}</c>.</param>
    /// <param name="source">The loopback address to connect from.</param>
    public SignInPageClient(string tenantBase, IPAddress source)
    {
        Source = source;
        _signInUrl = $"{tenantBase}/account/signin";
        _http = new HttpClient(BoundHandler(source));
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (sign-in protection tests)");
    }

    public IPAddress Source { get; }

    /// <summary>A handler whose connections come from <paramref name="source"/>; it follows no redirect and keeps no cookie.</summary>
    public static SocketsHttpHandler BoundHandler(IPAddress source) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static IPAddress Loopback(int last) => new([127, 0, 0, (byte)last]);

    /// <summary>Opens the form (antiforgery cookie and token), then posts it; times the POST alone.</summary>
    public async Task<SignInPageResult> SignInAsync(string userName, string password)
    {
        using var form = await _http.GetAsync(_signInUrl);
        form.EnsureSuccessStatusCode();
        var cookies = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';', 2)[0]));
        var token = Antiforgery().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;

        using var request = new HttpRequestMessage(HttpMethod.Post, _signInUrl)
        {
            Content = new FormUrlEncodedContent([new("UserName", userName), new("Password", password), new("__RequestVerificationToken", token)]),
        };
        request.Headers.Add("Cookie", cookies);
        var clock = Stopwatch.StartNew();
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        var signedIn = response.StatusCode == HttpStatusCode.SeeOther &&
                       response.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("__Host-tessera.session=", StringComparison.Ordinal));
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? ((int)delta.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new SignInPageResult(response.StatusCode, body, signedIn, clock.Elapsed, retryAfter);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
