namespace Tessera.Policy.Clients;

/// <summary>
/// Exact redirect-URI matching (RFC 9700 §4.1.3): the requested URI must equal a registered one
/// character for character. The one exception is RFC 8252 §7.3: a native (public) client registered
/// with a loopback IP address may use any port, because the operating system picks it.
/// </summary>
public static class RedirectUriMatching
{
    /// <summary>Decides whether <paramref name="requested"/> may receive the authorization response.</summary>
    public static bool IsAllowed(IEnumerable<string> registered, string requested, bool nativeClient)
    {
        ArgumentNullException.ThrowIfNull(registered);
        ArgumentNullException.ThrowIfNull(requested);

        foreach (var candidate in registered)
        {
            if (string.Equals(candidate, requested, StringComparison.Ordinal))
            {
                return true;
            }

            if (nativeClient && LoopbackMatchIgnoringPort(candidate, requested))
            {
                return true;
            }
        }

        return false;
    }

    private static bool LoopbackMatchIgnoringPort(string registered, string requested)
    {
        if (!Uri.TryCreate(registered, UriKind.Absolute, out var left) ||
            !Uri.TryCreate(requested, UriKind.Absolute, out var right))
        {
            return false;
        }

        // Only literal loopback IPs: "localhost" can be re-pointed by a hosts file or DNS (RFC 8252 §8.3).
        if (left.Scheme != Uri.UriSchemeHttp || right.Scheme != Uri.UriSchemeHttp ||
            left.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) ||
            !System.Net.IPAddress.TryParse(left.Host.Trim('[', ']'), out var address) ||
            !System.Net.IPAddress.IsLoopback(address))
        {
            return false;
        }

        // Compare everything but the port, as the original strings spell it (no normalisation).
        return string.Equals(left.Host, right.Host, StringComparison.Ordinal) &&
               string.Equals(StripPort(registered, left), StripPort(requested, right), StringComparison.Ordinal);
    }

    private static string StripPort(string original, Uri parsed)
    {
        var authorityEnd = original.IndexOf('/', parsed.Scheme.Length + 3);
        var rest = authorityEnd < 0 ? string.Empty : original[authorityEnd..];
        return parsed.Scheme + "://" + parsed.Host + rest;
    }
}
