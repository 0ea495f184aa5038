using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.ContinuousAccess;
using Tessera.AspNetCore.Diagnostics;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore;

/// <summary>Protects an API with Tessera access tokens.</summary>
public static class TesseraApiAuthenticationBuilderExtensions
{
    /// <summary>
    /// Adds a bearer-token scheme (configured through <see cref="JwtBearerOptions"/>, as JwtBearer is) that accepts the access tokens of a Tessera tenant (or of several) for this API, with the
    /// options bound from <paramref name="configuration"/> (<c>Instance</c>, <c>TenantId</c>, <c>Audience</c>,
    /// <c>ClientId</c>...). The options are checked at start-up.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configuration">The configuration section, e.g. <c>builder.Configuration.GetSection("Tessera")</c>.</param>
    /// <param name="authenticationScheme">The scheme's name.</param>
    /// <returns>The authentication builder.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The two entry points Microsoft.Identity.Web users know, each with the scheme defaulting to Bearer.")]
    public static AuthenticationBuilder AddTesseraApi(
        this AuthenticationBuilder builder, IConfiguration configuration, string authenticationScheme = JwtBearerDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddTesseraApi(options => configuration.Bind(options), authenticationScheme);
    }

    /// <summary>
    /// Adds a bearer-token scheme (configured through <see cref="JwtBearerOptions"/>, as JwtBearer is) that accepts the access tokens of a Tessera tenant (or of several) for this API.
    /// The options are checked at start-up.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <param name="authenticationScheme">The scheme's name.</param>
    /// <returns>The authentication builder.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The two entry points Microsoft.Identity.Web users know, each with the scheme defaulting to Bearer.")]
    public static AuthenticationBuilder AddTesseraApi(
        this AuthenticationBuilder builder, Action<TesseraApiOptions> configureOptions, string authenticationScheme = JwtBearerDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        var services = builder.Services;
        var firstScheme = !services.Any(d => d.ServiceType == typeof(TesseraSchemes));

        services.AddOptions<TesseraApiOptions>(authenticationScheme).Configure(configureOptions).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TesseraApiOptions>>(new TesseraApiOptionsValidation(authenticationScheme));

        // JwtBearer's options and events, Tessera's handler: what applications configure for JwtBearer keeps working.
        builder.AddScheme<JwtBearerOptions, TesseraBearerHandler>(authenticationScheme, displayName: null, options =>
        {
            // Presentation defaults the application may change: Tessera's claim names as they are in the token.
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = "name";
            options.TokenValidationParameters.RoleClaimType = "roles";
        });
        services.AddOptions<JwtBearerOptions>(authenticationScheme).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>>(provider => new JwtBearerSetup(
            authenticationScheme, provider.GetRequiredService<TesseraSchemes>(), provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IValidateOptions<JwtBearerOptions>>(new JwtBearerGuard(authenticationScheme));

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<TokenMetrics>();
        services.TryAddSingleton<RevocationState>();
        services.TryAddSingleton<TesseraSchemes>();
        services.TryAddSingleton<ITesseraTokenCache>(provider => provider.GetRequiredService<TesseraSchemes>());

        // Continuous Access Evaluation: idle unless the scheme's options enable it.
        services.AddSingleton(provider => new SharedSignalsReceiver(authenticationScheme, provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>(),
            provider.GetRequiredService<TesseraSchemes>(), provider.GetRequiredService<RevocationState>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IHostedService>(provider => provider.GetServices<SharedSignalsReceiver>().First(r => r.Scheme == authenticationScheme));

        services.AddAuthorization();
        if (firstScheme)
        {
            DecorateAuthorizationResultHandler(services);
        }

        return builder;
    }

    // Scope, role and authentication-context failures answer with RFC 6750 / claims challenges; everything else is
    // left to the handler that was there (the default one, or the application's).
    private static void DecorateAuthorizationResultHandler(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler) && !d.IsKeyedService);
        if (existing is not null)
        {
            services.Remove(existing);
        }

        services.AddSingleton<IAuthorizationMiddlewareResultHandler>(provider => new TesseraAuthorizationResultHandler(existing switch
        {
            null => new AuthorizationMiddlewareResultHandler(),
            { ImplementationInstance: IAuthorizationMiddlewareResultHandler instance } => instance,
            { ImplementationFactory: { } factory } => (IAuthorizationMiddlewareResultHandler)factory(provider),
            { ImplementationType: { } type } => (IAuthorizationMiddlewareResultHandler)ActivatorUtilities.CreateInstance(provider, type),
            _ => new AuthorizationMiddlewareResultHandler(),
        }));
    }
}
