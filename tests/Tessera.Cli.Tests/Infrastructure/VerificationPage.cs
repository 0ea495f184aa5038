using System.Net;
using System.Text.RegularExpressions;

namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>
/// A person's browser reduced to what the device code flow needs: sign in on <c>/{tenant}/account/signin</c>, then
/// enter a user code on the verification page and approve or refuse it. Keeps cookies (Secure ones too, on loopback,
/// as browsers do) and follows no redirects. The server's own tests drive the same pages with their UserAgent.
/// </summary>
public sealed partial class VerificationPage(string origin, Guid tenantId) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public async Task SignInAsync(string userName, string password)
    {
        var signIn = $"{origin}/{tenantId:D}/account/signin";
        var form = await ReadAsync(await SendAsync(HttpMethod.Get, signIn));
        using var response = await SendAsync(HttpMethod.Post, signIn,
            [new("UserName", userName), new("Password", password), new("__RequestVerificationToken", Antiforgery(form))]);
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"sign-in answered {(int)response.StatusCode}: {await ReadAsync(response)}");
    }

    /// <summary>Enters <paramref name="userCode"/> at <paramref name="verificationUri"/> and answers with <paramref name="decision"/> (accept or deny).</summary>
    public async Task AnswerAsync(string verificationUri, string userCode, string decision)
    {
        var page = await ReadAsync(await SendAsync(HttpMethod.Get, $"{verificationUri}?user_code={Uri.EscapeDataString(userCode)}"));
        Assert.Contains("id=\"accept\"", page, StringComparison.Ordinal);
        using var response = await SendAsync(HttpMethod.Post, verificationUri,
            [new("user_code", userCode), new("decision", decision), new("__RequestVerificationToken", Antiforgery(page))]);
        Assert.True(response.StatusCode is HttpStatusCode.SeeOther or HttpStatusCode.Redirect, $"the verification page answered {(int)response.StatusCode}.");
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, IEnumerable<KeyValuePair<string, string>>? form = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await _http.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';', 2)[0];
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = (pair[..eq], pair[(eq + 1)..]);
            if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                _cookies.Remove(name);
            }
            else
            {
                _cookies[name] = value;
            }
        }

        return response;
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return await response.Content.ReadAsStringAsync();
        }
    }

    private static string Antiforgery(string page)
    {
        var match = AntiforgeryField().Match(page);
        Assert.True(match.Success, "The page has no antiforgery token.");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
