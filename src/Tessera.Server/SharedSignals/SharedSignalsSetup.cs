using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Admin;
using Tessera.Server.Keys;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// Tessera as an OpenID Shared Signals transmitter: metadata, stream management and poll for receivers (tokens for
/// <see cref="SharedSignalsResource.Identifier"/>), the outbox the directory's changes write to, and the push worker.
/// </summary>
public static class SharedSignalsSetup
{
    public const string Scheme = "TesseraSharedSignals";
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddTesseraSharedSignals(this IServiceCollection services)
    {
        services.AddAuthentication().AddJwtBearer(Scheme);
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<SigningKeyRing>((options, ring) =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidTypes = ["at+jwt"],
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                IssuerSigningKeyResolver = (_, _, _, _) => ring.Published,
                IssuerValidator = AdminApiSetup.ValidateIssuer,
                ValidAudience = SharedSignalsResource.Identifier,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
        });

        services.AddSingleton<OutboxSignal>();
        services.AddScoped<SecurityEventOutbox>();
        services.AddScoped<ReceiverAccessFilter>();
        services.AddHttpClient(PushDelivery.ClientName, client => client.Timeout = PushTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectCallback = ReceiverConnections.ConnectAsync });
        services.AddHostedService<PushDelivery>();
        return services;
    }

    public static IEndpointRouteBuilder MapTesseraSharedSignals(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTransmitterMetadata();
        endpoints.MapTenantTransmitterMetadata();
        var ssf = endpoints.MapGroup(string.Empty).AddEndpointFilter<ReceiverAccessFilter>().ExcludeFromDescription();
        ssf.MapStreams();
        ssf.MapPoll();
        return endpoints;
    }
}
