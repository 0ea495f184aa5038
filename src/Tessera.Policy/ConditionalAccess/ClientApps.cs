using Tessera.Policy.Clients;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>
/// What kind of client a person signs in through, for the <c>clientAppTypes</c> condition: a native application
/// (mobile or desktop) or a browser (a web application, or a single-page application running in one).
/// </summary>
public static class ClientApps
{
    /// <summary>The device code flow serves devices and command lines: mobile and desktop clients.</summary>
    public const ClientAppType DeviceCode = ClientAppType.MobileAppsAndDesktopClients;

    /// <summary>
    /// At the authorization endpoint: a native application when the code returns to one of the registration's mobile and
    /// desktop redirect URIs, otherwise a browser.
    /// </summary>
    public static ClientAppType AtAuthorization(IEnumerable<string> nativeRedirectUris, string? redirectUri)
        => redirectUri is not null && RedirectUriMatching.IsAllowed(nativeRedirectUris, redirectUri, nativeClient: true)
            ? ClientAppType.MobileAppsAndDesktopClients
            : ClientAppType.Browser;

    /// <summary>
    /// At refresh: a web application (it authenticated) or a single-page application (its request came from a browser
    /// page, with an <c>Origin</c>) acts for a person in a browser; any other public client is a native application.
    /// </summary>
    public static ClientAppType AtRefresh(bool clientAuthenticated, bool fromBrowserPage)
        => clientAuthenticated || fromBrowserPage ? ClientAppType.Browser : ClientAppType.MobileAppsAndDesktopClients;
}
