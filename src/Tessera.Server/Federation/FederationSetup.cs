namespace Tessera.Server.Federation;

/// <summary>The services behind federated identity credentials at the token endpoint.</summary>
public static class FederationSetup
{
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddTesseraFederation(this IServiceCollection services)
    {
        // An issuer's documents are read where they are: a redirect could lead the server anywhere.
        services.AddHttpClient(ExternalIssuerKeys.HttpClientName, client => client.Timeout = FetchTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<ExternalIssuerKeys>();
        return services;
    }
}
