namespace Tessera.Server.Sessions;

/// <summary>"Firefox on Linux": a user agent as a person recognises their own browser in a session list.</summary>
public static class BrowserDescription
{
    public static string Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "Unknown browser";
        }

        // Order matters: Edge and Chrome also say Safari, Edge also says Chrome.
        var browser = Has(userAgent, "Edg/") ? "Edge"
            : Has(userAgent, "Firefox/") ? "Firefox"
            : Has(userAgent, "Chrome/") || Has(userAgent, "Chromium/") ? "Chrome"
            : Has(userAgent, "Safari/") ? "Safari"
            : "Unknown browser";
        var system = Has(userAgent, "Android") ? "Android"
            : Has(userAgent, "iPhone") || Has(userAgent, "iPad") ? "iOS"
            : Has(userAgent, "Windows") ? "Windows"
            : Has(userAgent, "Mac OS X") ? "macOS"
            : Has(userAgent, "Linux") ? "Linux"
            : null;
        return system is null ? browser : $"{browser} on {system}";
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.Ordinal);
}
