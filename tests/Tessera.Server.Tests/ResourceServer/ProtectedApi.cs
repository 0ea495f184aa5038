using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// A small API protected by Tessera.AspNetCore, on a real Kestrel loopback port, its JwtBearer backchannel trusting the
/// test server's certificate. Its endpoints echo the caller or need a permission; it also serves an "attacker" JWKS
/// and counts the requests for it, so tests can show that a token's header never makes the API fetch a key.
/// </summary>
public sealed class ProtectedApi : IAsyncDisposable
{
    public const string AttackerKeysPath = "/attacker/keys";

    private readonly string _contentRoot;

    private ProtectedApi(WebApplication app, string contentRoot, LogCapture logs)
    {
        App = app;
        _contentRoot = contentRoot;
        Logs = logs;
        Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Validations = new ValidationCounts(app.Services);
    }

    public WebApplication App { get; }
    public string Address { get; }
    public LogCapture Logs { get; }
    public ValidationCounts Validations { get; }
    public int AttackerKeyRequests => App.Services.GetRequiredService<AttackerKeys>().Requests;
    public IServiceProvider Services => App.Services;

    /// <summary>
    /// Starts an API. <paramref name="services"/> runs before <c>AddTesseraApi</c>, <paramref name="after"/> after it;
    /// <paramref name="middleware"/> adds to the pipeline before authentication.
    /// </summary>
    public static async Task<ProtectedApi> StartAsync(
        HttpsServerFixture? server, Action<TesseraApiOptions> options,
        Action<IServiceCollection>? services = null, Action<IServiceCollection>? after = null, int port = 0,
        System.Security.Cryptography.X509Certificates.X509Certificate2? tlsCertificate = null, Action<WebApplication>? middleware = null)
    {
        var contentRoot = Path.Combine(Path.GetTempPath(), "tessera-tests", "api-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(contentRoot);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [$"--urls={(tlsCertificate is null ? "http" : "https")}://127.0.0.1:{port}"],
            ContentRootPath = contentRoot,
            EnvironmentName = "Production",
        });
        if (tlsCertificate is not null)
        {
            // On HTTPS, the handshake asks for a client certificate (any: the token's binding decides), as an API taking
            // certificate-bound tokens does.
            builder.WebHost.UseKestrelHttpsConfiguration().ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = tlsCertificate;
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = static (_, _, _) => true;
            }));
        }

        var logs = new LogCapture();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<AttackerKeys>();
        if (server is not null)
        {
            builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = server.CreateHandler());
        }

        services?.Invoke(builder.Services);
        builder.Services.AddAuthentication().AddTesseraApi(options);
        after?.Invoke(builder.Services);

        var app = builder.Build();
        middleware?.Invoke(app);
        app.UseAuthentication();
        app.UseAuthorization();
        MapEndpoints(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new ProtectedApi(app, contentRoot, logs);
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/me", (HttpContext http) => Results.Json(new
        {
            oid = http.User.FindFirst("oid")?.Value,
            tid = http.User.FindFirst("tid")?.Value,
            name = http.User.Identity?.Name,
            seen = http.User.FindAll("seen").Count(),
        })).RequireAuthorization();
        app.MapPost("/me", () => "ok").RequireAuthorization();
        app.MapGet("/open", () => "open");
        app.MapGet("/items", () => "items").RequireScope("Orders.Read", "Orders.ReadWrite");
        app.MapGet("/all-items", () => "all items").RequireAppRole("Orders.Read.All");
        app.MapGet("/either", () => "either").RequireScopeOrAppRole(scopes: ["Orders.Read"], appRoles: ["Orders.Read.All"]);
        app.MapGet("/step-up", () => "stepped up").RequireScope("Orders.Read").RequireAuthContext("c1");
        app.MapGet("/write", [Authorize, RequireScope("Orders.ReadWrite")] () => "written");
        app.MapGet("/write-or-app", [Authorize, RequireScopeOrAppRole(["Orders.ReadWrite"], ["Orders.Read.All"])] () => "written");
        app.MapGet("/step-up-c2", [Authorize, RequireAuthContext("c2")] () => "stepped up");
        app.MapGet(AttackerKeysPath, (AttackerKeys keys) => keys.Serve());
        app.MapTesseraSharedSignals();
    }

    /// <summary>A loopback port free right now, for an API whose address must be known before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public HttpClient Client(string? token = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(Address) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    public async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var http = Client(token);
        return await http.GetAsync(path);
    }

    public async ValueTask DisposeAsync()
    {
        Validations.Dispose();
        await App.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A JWKS an attacker would serve; the API must never ask for it.</summary>
    public sealed class AttackerKeys
    {
        private int _requests;

        public int Requests => _requests;

        public string Json { get; set; } = """{"keys":[]}""";

        public IResult Serve()
        {
            Interlocked.Increment(ref _requests);
            return Results.Text(Json, "application/json");
        }
    }
}

/// <summary>Counts of the SDK's <c>tessera.api.token.validations</c> counter for one API, by outcome.</summary>
public sealed class ValidationCounts : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();

    public ValidationCounts(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "tessera.api.token.validations")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "tessera.outcome")
                {
                    _counts.AddOrUpdate((string)tag.Value!, value, (_, old) => old + value);
                }
            }
        });
        _listener.Start();
    }

    public long Cached => _counts.GetValueOrDefault("cached");
    public long Validated => _counts.GetValueOrDefault("validated");
    public long Refused => _counts.GetValueOrDefault("refused");
    public long Revoked => _counts.GetValueOrDefault("revoked");

    public void Dispose() => _listener.Dispose();
}

/// <summary>Keeps what the API logged, to assert TSR codes.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, EventId Id, string Message)> _entries = new();

    public IReadOnlyList<(string Category, EventId Id, string Message)> Entries => [.. _entries];

    public bool Contains(string text) => _entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal));

    public string Dump() => string.Join(Environment.NewLine, _entries.Select(e => $"{e.Category} [{e.Id.Id}] {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, EventId, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => entries.Enqueue((category, eventId, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception.Message)));
    }
}
