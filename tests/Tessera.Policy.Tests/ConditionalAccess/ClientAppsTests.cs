using Tessera.Policy.ConditionalAccess;

namespace Tessera.Policy.Tests.ConditionalAccess;

public sealed class ClientAppsTests
{
    private static readonly string[] Native = ["http://127.0.0.1/callback", "com.example.app://auth"];

    [Theory]
    [InlineData("http://127.0.0.1:51234/callback", ClientAppType.MobileAppsAndDesktopClients)]
    [InlineData("com.example.app://auth", ClientAppType.MobileAppsAndDesktopClients)]
    [InlineData("https://app.example.com/signin-oidc", ClientAppType.Browser)]
    [InlineData(null, ClientAppType.Browser)]
    public void AtAuthorization_NativeRedirectUriMeansNativeApp(string? redirectUri, ClientAppType expected)
        => Assert.Equal(expected, ClientApps.AtAuthorization(Native, redirectUri));

    [Theory]
    [InlineData(true, false, ClientAppType.Browser)]
    [InlineData(false, true, ClientAppType.Browser)]
    [InlineData(false, false, ClientAppType.MobileAppsAndDesktopClients)]
    public void AtRefresh_PublicClientOutsideBrowserIsNative(bool authenticated, bool fromBrowserPage, ClientAppType expected)
        => Assert.Equal(expected, ClientApps.AtRefresh(authenticated, fromBrowserPage));
}
