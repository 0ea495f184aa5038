using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// A relying party (web app or web API) written the way its users write it, running in the test process on Kestrel,
/// on HTTPS on a free loopback port with the test server's certificate (so the same trust covers both). Nothing is read
/// from files or the environment: the test's <c>configure</c> is the whole configuration.
/// </summary>
public sealed class LoopbackWebApp : IAsyncDisposable
{
    private readonly string _contentRoot;

    private LoopbackWebApp(WebApplication app, string contentRoot, LogRecorder log)
    {
        App = app;
        Log = log;
        _contentRoot = contentRoot;
        Origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => a.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal))
            .Single();
    }

    public WebApplication App { get; }

    /// <summary>What the app logged at Information and above (authentication failures among it), for assertion messages.</summary>
    public LogRecorder Log { get; }

    /// <summary><c>https://127.0.0.1:{port}</c>.</summary>
    public string Origin { get; }

    /// <summary>Builds, maps and starts the app; <paramref name="configure"/> registers its services, <paramref name="map"/> its endpoints.</summary>
    public static async Task<LoopbackWebApp> StartAsync(HttpsServerFixture server, Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(map);
        var contentRoot = Path.Combine(Path.GetTempPath(), "tessera-tests", "rp-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(contentRoot);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(server.Certificate)));
        builder.Services.AddRouting();
        var log = new LogRecorder();
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(log));
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(contentRoot));
        configure(builder);

        var app = builder.Build();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        map(app);
        await app.StartAsync();
        return new LoopbackWebApp(app, contentRoot, log);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps a relying party's log lines in memory.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public override string ToString() => string.Join(Environment.NewLine, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
    }
}
