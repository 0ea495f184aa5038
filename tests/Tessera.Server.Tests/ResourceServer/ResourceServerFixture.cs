using Tessera.Directory.Applications;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// A Tessera server on HTTPS with an Orders API registered, real tokens for it (a user's, through the code flow; a
/// daemon's with the app role and another's without), and the API protected by Tessera.AspNetCore for that tenant.
/// </summary>
public sealed class ResourceServerFixture : IAsyncLifetime
{
    public HttpsServerFixture Server { get; } = new();
    public Application OrdersApi { get; private set; } = null!;
    public string Identifier { get; private set; } = null!;
    public Guid ApiId => OrdersApi.AppId;

    /// <summary>A user's access token for the API (<c>scp</c>: Orders.Read) and the ID token of the same sign-in.</summary>
    public TokenResponse UserTokens { get; private set; } = null!;
    public CodeFlowClient WebClient { get; private set; } = null!;

    /// <summary>A daemon's token with the app role Orders.Read.All.</summary>
    public string AppToken { get; private set; } = null!;

    /// <summary>A daemon's token for the API with no app role.</summary>
    public string AppTokenWithoutRole { get; private set; } = null!;

    public ProtectedApi Api { get; private set; } = null!;
    public TokenForge Forge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Forge = new TokenForge(Server);
        Identifier = "api://orders-" + Guid.NewGuid().ToString("N")[..8];
        OrdersApi = await Server.Directory.RegisterApiAsync(Identifier);

        AppToken = await DaemonTokenAsync(withRole: true);
        AppTokenWithoutRole = await DaemonTokenAsync(withRole: false);

        WebClient = await CodeFlowClient.RegisterAsync(Server);
        await Server.Directory.GrantConsentAsync(WebClient.Application.AppId, ApiId, "Orders.Read");
        var user = await Server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await WebClient.SignInAsync(user.UserName!, $"openid profile {Identifier}/Orders.Read");
        browser.Dispose();
        using var http = Server.CreateHttpClient();
        UserTokens = await WebClient.RedeemAsync(http, code, pkce.Verifier);
        UserTokens.AssertSuccess();

        Api = await StartApiAsync();
    }

    /// <summary>An API for the server's first tenant and the Orders API, with more options or services if given.</summary>
    public Task<ProtectedApi> StartApiAsync(Action<Tessera.AspNetCore.TesseraApiOptions>? options = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? after = null, int port = 0,
        Action<Microsoft.AspNetCore.Builder.WebApplication>? middleware = null)
        => ProtectedApi.StartAsync(Server, o =>
        {
            o.Instance = Server.Origin + "/";
            o.TenantId = Server.TenantId.ToString();
            o.Audience = Identifier;
            o.ClientId = ApiId.ToString();
            options?.Invoke(o);
        }, services, after, port, middleware: middleware);

    public async Task DisposeAsync()
    {
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        await Server.DisposeAsync();
    }

    private async Task<string> DaemonTokenAsync(bool withRole)
    {
        var daemon = await Server.Directory.RegisterAsync(new NewApplication("daemon " + Guid.NewGuid().ToString("N")[..6]));
        var secret = await Server.Directory.AddSecretAsync(daemon.AppId);
        if (withRole)
        {
            await Server.Directory.AssignAsync(daemon.AppId, "ServicePrincipal", ApiId, "Orders.Read.All");
        }

        using var http = Server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, Server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", ApiId + "/.default"));
        response.AssertSuccess();
        return response.AccessToken;
    }
}
