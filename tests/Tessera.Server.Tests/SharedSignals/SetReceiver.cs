using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>
/// A push receiver (RFC 8935) on loopback, as an API would run one: validates each SET against the tenant's published
/// keys, issuer, its own audience and <c>typ</c>, answers 202 and records it; an invalid SET gets 400.
/// It can be stopped and started again on the same port, to play a receiver that was down.
/// </summary>
public sealed class SetReceiver : IAsyncDisposable
{
    private readonly Channel<JsonWebToken> _received = Channel.CreateUnbounded<JsonWebToken>();
    private readonly string _issuer;
    private readonly string _audience;
    private readonly string _jwksUri;
    private WebApplication? _app;
    private int _port;

    private SetReceiver(string issuer, string audience, string jwksUri)
    {
        _issuer = issuer;
        _audience = audience;
        _jwksUri = jwksUri;
    }

    public string Endpoint => $"http://127.0.0.1:{_port}/caep/events";

    /// <summary>The Authorization header values the pushes came with.</summary>
    public List<string> Authorizations { get; } = [];

    public static async Task<SetReceiver> StartAsync(string issuer, string audience, string jwksUri, int port = 0)
    {
        var receiver = new SetReceiver(issuer, audience, jwksUri) { _port = port };
        await receiver.StartAsync();
        return receiver;
    }

    public async Task StartAsync()
    {
        using var http = new HttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync(new Uri(_jwksUri))).GetSigningKeys();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = _issuer,
            ValidAudience = _audience,
            IssuerSigningKeys = keys,
            ValidTypes = ["secevent+jwt"],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidateLifetime = false, // SETs carry no exp (RFC 8417 §2.2)
        };
        _app.MapPost("/caep/events", async (HttpContext context) =>
        {
            if (context.Request.ContentType != "application/secevent+jwt")
            {
                return Results.Json(new { err = "invalid_request", description = "Content-Type must be application/secevent+jwt." }, statusCode: 400);
            }

            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(body, parameters);
            if (!result.IsValid)
            {
                return Results.Json(new { err = "invalid_key", description = result.Exception?.Message }, statusCode: 400);
            }

            lock (Authorizations)
            {
                Authorizations.Add(context.Request.Headers.Authorization.ToString());
            }

            await _received.Writer.WriteAsync((JsonWebToken)result.SecurityToken);
            return Results.StatusCode((int)HttpStatusCode.Accepted);
        });
        await _app.StartAsync();
        _port = new Uri(_app.Urls.First()).Port;
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>The next SET received, within <paramref name="within"/> (10 s by default).</summary>
    public async Task<JsonWebToken> NextAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("No SET arrived in time.");
        }
    }

    /// <summary>Whether a SET arrives within <paramref name="within"/> (for checking that none does).</summary>
    public async Task<JsonWebToken?> TryNextAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
