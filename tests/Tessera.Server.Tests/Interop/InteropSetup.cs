using System.Net;
using System.Net.Http.Headers;
using Tessera.Directory.Applications;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>The registrations and calls the interop tests share: an Orders API, a daemon holding its app role, a bearer call.</summary>
public static class InteropSetup
{
    /// <summary>A new Orders API (see <see cref="TestDirectory.RegisterApiAsync"/>) under a fresh identifier URI.</summary>
    public static async Task<(Application Api, string Identifier)> NewApiAsync(this TestDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var identifier = "api://orders-" + Guid.NewGuid().ToString("N")[..8];
        return (await directory.RegisterApiAsync(identifier), identifier);
    }

    /// <summary>A daemon holding the API's <c>Orders.Read.All</c> app role.</summary>
    public static async Task<Application> NewDaemonAsync(this TestDirectory directory, Application api)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(api);
        var daemon = await directory.RegisterAsync(new NewApplication("daemon " + Guid.NewGuid().ToString("N")[..6]));
        await directory.AssignAsync(daemon.AppId, "ServicePrincipal", api.AppId, "Orders.Read.All");
        return daemon;
    }

    /// <summary>An app-only token for the API (client credentials with a secret, over plain HTTP calls).</summary>
    public static async Task<string> AppTokenAsync(this TesseraServerFixture server, Application api, string identifier)
    {
        ArgumentNullException.ThrowIfNull(server);
        var daemon = await server.Directory.NewDaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString("D")), ("client_secret", secret), ("scope", identifier + "/.default"));
        token.AssertSuccess();
        return token.AccessToken;
    }

    /// <summary>GET with a bearer token, over a client that trusts the test certificate.</summary>
    public static async Task<(HttpStatusCode Status, string Body, string WwwAuthenticate)> GetWithBearerAsync(this HttpsServerFixture server, string url, string token)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var http = new HttpClient(server.CreateHandler());
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.WwwAuthenticate.ToString());
    }
}
