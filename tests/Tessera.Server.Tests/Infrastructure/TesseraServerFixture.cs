using System.Text.Json;
using Tessera.Server.Hosting;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A real Tessera server on a free loopback port with a fresh data folder, shared by the tests of one class.
/// Storage is SQLite unless <c>TESSERA_TEST_POSTGRES</c> holds a PostgreSQL connection string, in which case every
/// server gets a database of its own there.
/// </summary>
public class TesseraServerFixture : IAsyncLifetime
{
    public TesseraApp App { get; private set; } = null!;
    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
    public BootstrapCredentials Bootstrap { get; private set; } = null!;
    public string Origin => App.Origin;
    public Guid TenantId => App.FirstTenantId;
    public string TenantBase => $"{Origin}/{TenantId:D}";
    public string Authority => $"{TenantBase}/v2.0";
    public string TokenEndpoint => $"{TenantBase}/oauth2/v2.0/token";
    public string AuthorizeEndpoint => $"{TenantBase}/oauth2/v2.0/authorize";
    public TestDirectory Directory => new(App.Web.Services, TenantId);

    /// <summary>The storage arguments this server was started with, to start another on the same database.</summary>
    public string[] StorageArguments { get; } = TestStorage.NewConnectionArguments();

    /// <summary>Extra configuration for subclasses, as command-line arguments.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Service replacements for subclasses (a manual clock, say).</summary>
    protected virtual void OverrideServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        App = await StartServerAsync(DataPath, StorageArguments, ExtraArguments, OverrideServices, RealSignInProtection);
        Bootstrap = ReadBootstrap(DataPath);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        if (TestStorage.PostgresBase is not null)
        {
            // Idle connections of this server's pool would hold PostgreSQL connection slots until pruned.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        TryDelete(DataPath);
    }

    /// <summary>
    /// Rate limits and spray detection raised far above what tests reach: the suite signs many users in from 127.0.0.1.
    /// The tests of those defences start their servers with the real defaults (<see cref="RealSignInProtection"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> RaisedSignInProtection =
    [
        "--Tessera:SignInProtection:SignInPermitsPerMinute=1000000",
        "--Tessera:SignInProtection:TokenPermitsPerMinutePerAddress=1000000",
        "--Tessera:SignInProtection:TokenPermitsPerMinutePerClient=1000000",
        "--Tessera:SignInProtection:SprayAccountsThreshold=1000000",
    ];

    /// <summary>Whether this fixture's server keeps the real sign-in limits (rate limits, spray detection).</summary>
    protected virtual bool RealSignInProtection => false;

    public static async Task<TesseraApp> StartServerAsync(
        string dataPath, IEnumerable<string> storage, IEnumerable<string>? extra = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? overrideServices = null, bool realSignInProtection = false)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Tessera:DataPath={dataPath}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Tessera=Warning",
            .. storage,
            .. realSignInProtection ? [] : RaisedSignInProtection,
            .. extra ?? [],
        ];
        var app = await TesseraApp.CreateAsync(args, overrideServices);
        await app.StartAsync();
        return app;
    }

    public static BootstrapCredentials ReadBootstrap(string dataPath)
        => JsonSerializer.Deserialize<BootstrapCredentials>(
               File.ReadAllBytes(Path.Combine(dataPath, FirstRun.BootstrapFile)), new JsonSerializerOptions(JsonSerializerDefaults.Web))
           ?? throw new InvalidOperationException("bootstrap.json is empty.");

    public HttpClient CreateHttpClient() => new(CreateHandler()) { BaseAddress = new Uri(Origin) };

    /// <summary>A handler that follows no redirect and keeps no cookie (the tests do both themselves).</summary>
    public virtual HttpClientHandler CreateHandler() => new() { AllowAutoRedirect = false, UseCookies = false };

    private static void TryDelete(string path)
    {
        try
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Where test servers keep their data.</summary>
public static class TestStorage
{
    public static string? PostgresBase => Environment.GetEnvironmentVariable("TESSERA_TEST_POSTGRES");

    /// <summary>
    /// Arguments for a brand-new database: SQLite in the data folder, or a new PostgreSQL database. Each test server
    /// has a database and so a connection pool of its own: small, and closing idle connections within seconds, so
    /// that the pools of servers already stopped do not use up the PostgreSQL server's connection slots.
    /// </summary>
    public static string[] NewConnectionArguments()
        => PostgresBase is { Length: > 0 } postgres
            ? ["--Tessera:Storage:Provider=Postgres",
               $"--Tessera:Storage:ConnectionString={postgres};Database=tessera_test_{Guid.NewGuid():N};Maximum Pool Size=10;Connection Idle Lifetime=5;Connection Pruning Interval=1"]
            : [];
}
