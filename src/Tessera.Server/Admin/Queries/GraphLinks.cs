using System.Text;

namespace Tessera.Server.Admin.Queries;

/// <summary>
/// The links of a Graph collection response: <c>@odata.context</c> and <c>@odata.nextLink</c> with the opaque
/// <c>$skiptoken</c> this server issues and reads back.
/// </summary>
public static class GraphLinks
{
    public static string Context(HttpRequest request, string fragment)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}{AdminApiSetup.Prefix}/$metadata#{fragment}";
    }

    /// <summary>This request again, moved on to the item at <paramref name="skip"/>.</summary>
    public static string Next(HttpRequest request, int skip)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = request.Query.Where(q => q.Key != "$skiptoken").ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        parameters["$skiptoken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"skip:{skip}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}", parameters);
    }

    public static bool TryReadSkipToken(string token, out int skip)
    {
        ArgumentNullException.ThrowIfNull(token);
        skip = 0;
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            return text.StartsWith("skip:", StringComparison.Ordinal) && int.TryParse(text[5..], out skip) && skip >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
