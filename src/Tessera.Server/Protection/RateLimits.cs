using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Tessera.Policy.Errors;
using Tessera.Policy.SignIns;
using Tessera.Server.Hosting;
using Tessera.Server.Protocol.Token;

namespace Tessera.Server.Protection;

/// <summary>
/// ASP.NET Core rate limiting for the two endpoints that take guesses: the sign-in page's POST, per source address,
/// and the token endpoint, per source address and per <c>client_id</c>. A refusal is 429 with <c>Retry-After</c>:
/// an OAuth error (<c>temporarily_unavailable</c>) at the token endpoint, a page a person can read on the sign-in page.
/// Counts are per server process (in memory); smart lockout, which is in the database, holds across nodes.
/// </summary>
public static class RateLimits
{
    private const string SignInPath = "/account/signin";

    public static IServiceCollection AddTesseraRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptionsMonitor<TesseraOptions>>((limiter, tessera) =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => ByAddress(http, tessera.CurrentValue.SignInProtection)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => ByClient(http, tessera.CurrentValue.SignInProtection)));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>
    /// Rate limiting, after tenant resolution (so that paths are the tenant's). The token endpoint's form is read first,
    /// as the per-client limit needs its <c>client_id</c>; OpenIddict then reads the same, already parsed form.
    /// </summary>
    public static WebApplication UseTesseraRateLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (http, next) =>
        {
            if (IsTokenRequest(http.Request) && http.Request.HasFormContentType)
            {
                try
                {
                    await http.Request.ReadFormAsync(http.RequestAborted);
                }
                catch (InvalidDataException)
                {
                    // A form too large or malformed: OpenIddict refuses it with its own error.
                }
            }

            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    private static RateLimitPartition<string> ByAddress(HttpContext http, SignInProtectionOptions settings)
    {
        var request = http.Request;
        if (IsSignInPost(request))
        {
            return Bucket("signin " + AddressOf(http), settings.SignInPermitsPerMinute);
        }

        return IsTokenRequest(request)
            ? Bucket("token " + AddressOf(http), settings.TokenPermitsPerMinutePerAddress)
            : RateLimitPartition.GetNoLimiter(string.Empty);
    }

    private static RateLimitPartition<string> ByClient(HttpContext http, SignInProtectionOptions settings)
        => IsTokenRequest(http.Request) && ClientIdOf(http.Request) is { Length: > 0 and <= 256 } clientId
            ? Bucket($"client {http.Request.PathBase} {clientId}", settings.TokenPermitsPerMinutePerClient)
            : RateLimitPartition.GetNoLimiter(string.Empty);

    /// <summary>A bucket of a minute's permits that refills a tenth every six seconds, so that Retry-After stays short.</summary>
    private static RateLimitPartition<string> Bucket(string key, int perMinute)
        => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, perMinute),
            TokensPerPeriod = Math.Max(1, (perMinute + 9) / 10),
            ReplenishmentPeriod = TimeSpan.FromSeconds(6),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static bool IsSignInPost(HttpRequest request)
        => HttpMethods.IsPost(request.Method) && request.Path.Equals(SignInPath, StringComparison.OrdinalIgnoreCase);

    private static bool IsTokenRequest(HttpRequest request)
        => HttpMethods.IsPost(request.Method) && request.Path.Equals(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase);

    /// <summary>The client's address; an IPv6 address counts as its /64, which one host usually holds whole.</summary>
    private static string AddressOf(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return string.Empty;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>The <c>client_id</c> of a token request: the form's, or the user name of HTTP Basic client authentication.</summary>
    private static string? ClientIdOf(HttpRequest request)
    {
        if (request.HasFormContentType && request.Form.TryGetValue("client_id", out var fromForm) && fromForm.Count == 1)
        {
            return fromForm.ToString();
        }

        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? Uri.UnescapeDataString(decoded[..colon]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(60);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        if (IsTokenRequest(http.Request))
        {
            var error = SignInProtectionErrors.TooManyTokenRequests.With(seconds);
            http.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(http.Response.Body, new Dictionary<string, object>
            {
                ["error"] = error.OAuthError,
                ["error_description"] = error.Description,
                ["error_codes"] = new[] { error.Code },
                ["trace_id"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            }, cancellationToken: cancellationToken);
            return;
        }

        await WritePageAsync(http, SignInProtectionErrors.TooManySignIns.With(seconds), cancellationToken);
    }

    private static async Task WritePageAsync(HttpContext http, TesseraError error, CancellationToken cancellationToken)
    {
        var html = HtmlEncoder.Default;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>Too many attempts · Tessera</title>
                <link rel="stylesheet" href="{html.Encode(http.Request.PathBase + "/css/site.css")}" />
            </head>
            <body>
                <main class="card">
                    <p class="brand">Tessera</p>
                    <h1>Too many sign-in attempts</h1>
                    <p class="error" role="alert" id="error">{html.Encode(error.Sentence)}</p>
                    <p class="muted">Nothing is wrong with your account. Go back and sign in again in a little while. <span id="error_code">{html.Encode(error.Code)}</span></p>
                </main>
            </body>
            </html>
            """, cancellationToken);
    }
}
