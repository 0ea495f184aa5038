using Tessera.Cli.Failures;

namespace Tessera.Cli.Api;

/// <summary>
/// The addresses the command line talks to. Credentials and tokens go only to https addresses, or to plain http on a
/// loopback address (where the server itself accepts plain http); the admin API lives at <c>{origin}/admin/v1</c>.
/// </summary>
internal static class ServerAddress
{
    private const string AdminPath = "/admin/v1";

    /// <summary>Parses an absolute address that may carry credentials: https, or http on loopback.</summary>
    public static Uri RequireSecure(string value, string what)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) ||
            !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)) ||
            !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw CommandFailure.Usage(CliErrors.InsecureAddress.With(what, value ?? string.Empty));
        }

        return uri;
    }

    /// <summary>The admin API's base (with a final slash) from <c>--server</c>: an origin, or the admin API's own address.</summary>
    public static Uri AdminApiFromServer(string server)
    {
        var uri = RequireSecure(server, "--server");
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith(AdminPath, StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^AdminPath.Length];
        }

        return new Uri($"{uri.GetLeftPart(UriPartial.Authority)}{path}{AdminPath}/");
    }

    /// <summary>The admin API's base from a tenant issuer <c>{origin}/{tenantId}/v2.0</c>.</summary>
    public static Uri AdminApiFromIssuer(string issuer, Guid tenantId)
    {
        var trimmed = RequireSecure(issuer, "The issuer").AbsoluteUri.TrimEnd('/');
        var suffix = $"/{tenantId:D}/v2.0";
        if (!trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            throw CommandFailure.Usage(CliErrors.IssuerNotTenantIssuer.With(issuer, tenantId.ToString("D")));
        }

        return new Uri(trimmed[..^suffix.Length] + AdminPath + "/");
    }

    /// <summary>The tenant id of a tenant issuer <c>{origin}/{tenantId}/v2.0</c>, or null if it has no such shape.</summary>
    public static Guid? TenantOfIssuer(string issuer)
    {
        var segments = issuer.TrimEnd('/').Split('/');
        return segments.Length >= 2 && segments[^1] == "v2.0" && Guid.TryParse(segments[^2], out var tenant) ? tenant : null;
    }

    /// <summary>Whether <paramref name="candidate"/> lies under the admin API at <paramref name="adminApi"/>.</summary>
    public static bool IsUnder(Uri candidate, Uri adminApi)
        => string.Equals(candidate.GetLeftPart(UriPartial.Authority), adminApi.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase) &&
           candidate.AbsolutePath.StartsWith(adminApi.AbsolutePath, StringComparison.OrdinalIgnoreCase);
}
