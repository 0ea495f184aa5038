using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Directory.Users;
using Tessera.Server.Admin;
using Tessera.Server.Failures;
using Tessera.Server.Keys;
using Tessera.Server.MutualTls;
using Tessera.Server.Protection;
using Tessera.Server.Protocol;
using Tessera.Server.Protocol.Authorize;
using Tessera.Server.Protocol.Session;
using Tessera.Server.Protocol.Token;
using Tessera.Server.Security;
using Tessera.Server.SharedSignals;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tenancy;

namespace Tessera.Server.Hosting;

/// <summary>
/// The Tessera server: built from configuration, migrated, keyed, then started. The same object runs in
/// <c>Program</c> and in the tests, so the tests exercise exactly what users run.
/// </summary>
public sealed class TesseraApp : IAsyncDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    private TesseraApp(WebApplication web) => Web = web;

    public WebApplication Web { get; }

    /// <summary>The origin the server is reachable at, known once started.</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary>The first tenant's id, known once started.</summary>
    public Guid FirstTenantId { get; private set; }

    /// <param name="args">Command-line arguments: configuration as <c>--Tessera:Key=value</c>.</param>
    /// <param name="overrideServices">Replaces services after Tessera's own registrations (tests use it for the clock).</param>
    /// <param name="cancellationToken">Stops the migrations and key loading.</param>
    public static async Task<TesseraApp> CreateAsync(string[] args, Action<IServiceCollection>? overrideServices = null, CancellationToken cancellationToken = default)
    {
        // The server's own assembly and output folder, not the host process's: the tests run it inside the test runner.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(TesseraApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["Kestrel:Endpoints:Http:Url"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var section = builder.Configuration.GetSection(TesseraOptions.Section);
        var options = section.Get<TesseraOptions>() ?? new TesseraOptions();
        if (Tessera.Policy.Sessions.SessionRules.CheckServer(new(options.Sessions.IdleTimeout, options.Sessions.AbsoluteTimeout)) is { } sessionError)
        {
            throw new TesseraConfigurationException(sessionError);
        }

        var caeLifetime = options.SharedSignals.CaeAccessTokenLifetime;
        if (caeLifetime < Tessera.Policy.Tokens.TokenLifetimes.CaeMiddleMinimum || caeLifetime > Tessera.Policy.Tokens.TokenLifetimes.CaeMiddleMaximum)
        {
            throw new TesseraConfigurationException(Tessera.Policy.SharedSignals.SharedSignalsErrors.CaeLifetimeInvalid.With(caeLifetime));
        }

        var data = new DataFolder(options.DataPath);
        var services = builder.Services;
        services.Configure<TesseraOptions>(section);
        services.AddSingleton(data);
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddTesseraStorage(options.Storage, data.File("tessera.db"));
        services.AddTesseraKeyProtection(builder.Configuration, data);
        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRotation>();
        services.AddSingleton<TenantDirectory>();
        services.AddScoped<FirstRun>();
        services.AddScoped<Directory.ApplicationRegistrar>();
        services.AddTesseraSignIn();
        services.AddScoped<SignInDefence>();
        services.AddTesseraRateLimits();
        services.AddSingleton<SinglePageAppOrigins>();
        services.AddSingleton<SignInLog>();
        services.AddSingleton<ConditionalAccess.TenantPolicies>();
        services.AddSingleton<ConditionalAccess.ConditionalAccessGate>();
        services.AddHostedService(provider => provider.GetRequiredService<SignInLog>());
        services.AddSingleton<Credentials.CredentialExpiryNotices>();
        services.AddHostedService(provider => provider.GetRequiredService<Credentials.CredentialExpiryNotices>());
        services.AddTesseraProtocol();
        services.AddTesseraAdminApi();
        services.AddTesseraSharedSignals();
        builder.LimitRequestSizes();
        builder.AddTesseraMutualTls(options);
        overrideServices?.Invoke(services);

        var web = builder.Build();
        await using (var scope = web.Services.CreateAsyncScope())
        {
            await StorageRegistration.MigrateAsync(scope.ServiceProvider.GetRequiredService<TesseraDbContext>(), cancellationToken);
        }

        await web.Services.GetRequiredService<SigningKeyRing>().RefreshAsync(cancellationToken);

        // Validate the protocol configuration now rather than on the first request.
        _ = web.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;

        web.UseTesseraErrorHandling();
        web.UseTesseraMutualTls(options.Mtls);
        web.UseMiddleware<TransportSecurityMiddleware>();
        web.UseMiddleware<SecurityHeadersMiddleware>();
        web.UseMiddleware<SeeOtherAfterPostMiddleware>();
        web.UseMiddleware<RejectNulCharactersMiddleware>();
        web.UseMiddleware<TenantResolutionMiddleware>();
        web.UseTesseraRateLimits();
        web.UseMiddleware<SinglePageAppCorsMiddleware>();
        web.UseStaticFiles();
        web.UseRouting();
        web.UseAuthentication();
        web.UseAuthorization();
        web.MapRazorPages();
        web.MapAuthorizeEndpoint().MapTokenEndpoint().MapUserInfoEndpoint().MapEndSessionEndpoint();
        web.MapTesseraAdminApi();
        web.MapTesseraSharedSignals();
        web.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        return new TesseraApp(web);
    }

    /// <summary>Starts listening, creates the first tenant if the database is new, and prints where to begin.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Web.StartAsync(cancellationToken);
        }
        catch (IOException exception) when (exception.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            throw new TesseraConfigurationException(TesseraErrors.AddressInUse.With(Web.Configuration["urls"] ?? DefaultUrl));
        }

        try
        {
            MutualTlsSetup.CheckListening(Web.Services.GetRequiredService<IServer>(), Web.Services.GetRequiredService<IOptions<TesseraOptions>>().Value.Mtls);
        }
        catch (TesseraConfigurationException)
        {
            await Web.StopAsync(cancellationToken);
            throw;
        }

        var configured = Web.Configuration["Tessera:PublicOrigin"];
        Origin = string.IsNullOrWhiteSpace(configured) ? LocalOrigin() : configured.TrimEnd('/');

        await using var scope = Web.Services.CreateAsyncScope();
        var firstRun = scope.ServiceProvider.GetRequiredService<FirstRun>();
        await firstRun.UpgradeAdminApisAsync(cancellationToken);
        var tenant = await firstRun.EnsureAsync(Origin, cancellationToken);
        FirstTenantId = tenant.Id;
        var data = Web.Services.GetRequiredService<DataFolder>();
        Console.WriteLine($"""
            Tessera is listening on {Origin}
              tenant      {tenant.DisplayName} ({tenant.Id:D})
              discovery   {Origin}/{tenant.Id:D}/v2.0/.well-known/openid-configuration
              bootstrap   {data.File(FirstRun.BootstrapFile)}
              cli client  {(await firstRun.CliClientIdAsync(tenant.Id, cancellationToken))?.ToString("D") ?? "none"}
            """);
    }

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken);
        await Web.WaitForShutdownAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Web.StopAsync();
        await Web.DisposeAsync();
    }

    private string LocalOrigin()
    {
        var address = Web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? DefaultUrl;
        return address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://[::1]", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
    }
}
