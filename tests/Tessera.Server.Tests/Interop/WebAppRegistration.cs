using Tessera.Directory.Applications;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// A web app's registration, made once the app is listening (its redirect URI names the port Kestrel picked); the
/// app's options read it lazily, at the first request.
/// </summary>
public sealed class WebAppRegistration
{
    public string? ClientId { get; private set; }

    public string? Secret { get; private set; }

    public Application? Application { get; private set; }

    public async Task RegisterAsync(HttpsServerFixture server, string redirectUri, string? postLogoutRedirectUri = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        Application = await server.Directory.RegisterAsync(new NewApplication("web app " + Guid.NewGuid().ToString("N")[..6])
        {
            RedirectUris = [redirectUri],
            PostLogoutRedirectUris = postLogoutRedirectUri is null ? [] : [postLogoutRedirectUri],
        });
        Secret = await server.Directory.AddSecretAsync(Application.AppId);
        ClientId = Application.AppId.ToString("D");
    }
}
