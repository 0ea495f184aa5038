using System.Net;
using System.Text.RegularExpressions;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A minimal browser over HttpClient for protocol tests: keeps cookies (including Secure ones on loopback, as
/// browsers do), follows redirects inside the server, fills the sign-in and consent forms, and stops at the first
/// redirect that leaves the server (the client's redirect URI). The browser tests use real Chromium.
/// </summary>
public sealed partial class UserAgent : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _origin;
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    /// <param name="server">The server in this process.</param>
    /// <param name="source">A loopback address to connect from (plain HTTP servers only); none: the usual 127.0.0.1.</param>
    public UserAgent(TesseraServerFixture server, IPAddress? source = null)
        : this(source is null ? server.CreateHttpClient() : new HttpClient(SignInPageClient.BoundHandler(source)) { BaseAddress = new Uri(server.Origin) }, server.Origin)
    {
    }

    /// <summary>A browser for a server at <paramref name="origin"/>, through <paramref name="http"/> (no redirects followed, no cookies of its own).</summary>
    public UserAgent(HttpClient http, string origin)
    {
        _http = http;
        _origin = origin;
    }

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    public List<string> SetCookieHeaders { get; } = [];

    /// <summary>Every request sent and the status it got.</summary>
    public List<(HttpMethod Method, string Url, HttpStatusCode Status)> History { get; } = [];

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, IEnumerable<KeyValuePair<string, string>>? form = null)
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
        History.Add((method, url, response.StatusCode));
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var header in values)
            {
                SetCookieHeaders.Add(header);
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
        }

        return response;
    }

    /// <summary>
    /// Runs an authorization request to its end: signs in with <paramref name="userName"/> if asked, answers the
    /// two-factor page with <paramref name="secondFactor"/>'s code if given, answers the consent page with
    /// <paramref name="consent"/>, and returns the URL the server finally redirects to outside itself, or the last
    /// response if it stopped inside the server.
    /// </summary>
    public async Task<AuthorizationOutcome> AuthorizeAsync(
        string authorizeUrl, string? userName, string password = TestDirectory.Password, bool consent = true, bool forEveryone = false,
        Func<string>? secondFactor = null)
    {
        var response = await SendAsync(HttpMethod.Get, authorizeUrl);
        for (var hop = 0; hop < 20; hop++)
        {
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Found))
            {
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK && body.Contains("id=\"signin\"", StringComparison.Ordinal) && userName is not null &&
                    !body.Contains("id=\"error\"", StringComparison.Ordinal))
                {
                    response = await SubmitAsync(response, body, [new("UserName", userName), new("Password", password)]);
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.OK && body.Contains("id=\"two-factor\"", StringComparison.Ordinal) && secondFactor is not null &&
                    !body.Contains("id=\"error\"", StringComparison.Ordinal))
                {
                    response = await SubmitAsync(response, body, [new("Code", secondFactor())]);
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.OK && body.Contains("id=\"accept\"", StringComparison.Ordinal))
                {
                    response = await SubmitAsync(response, body,
                        [new("decision", consent ? "accept" : "deny"), .. forEveryone ? [new KeyValuePair<string, string>("forEveryone", "true")] : Array.Empty<KeyValuePair<string, string>>()]);
                    continue;
                }

                return new AuthorizationOutcome(null, response, body);
            }

            var location = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
            if (!location.GetLeftPart(UriPartial.Authority).Equals(_origin, StringComparison.OrdinalIgnoreCase))
            {
                return new AuthorizationOutcome(location, response, null);
            }

            response = await SendAsync(HttpMethod.Get, location.ToString());
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>Posts the form of <paramref name="page"/> (antiforgery token and return URL included) with <paramref name="fields"/>.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(HttpResponseMessage page, string body, List<KeyValuePair<string, string>> fields, string? action = null)
    {
        fields.Add(new("__RequestVerificationToken", AntiforgeryToken().Match(body).Groups[1].Value));
        var returnUrl = ReturnUrlField().Match(body);
        if (returnUrl.Success)
        {
            fields.Add(new("ReturnUrl", WebUtility.HtmlDecode(returnUrl.Groups[1].Value)));
        }

        return await SendAsync(HttpMethod.Post, action ?? page.RequestMessage!.RequestUri!.ToString(), fields);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("type=\"hidden\" id=\"ReturnUrl\" name=\"ReturnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();
}

/// <summary>Where an authorization request ended: a redirect out of the server, or a page inside it.</summary>
public sealed record AuthorizationOutcome(Uri? Redirect, HttpResponseMessage LastResponse, string? Body)
{
    /// <summary>An error as the client would see it (redirect) or as the server showed it (page), decoded.</summary>
    public string ErrorText => Redirect is not null ? Uri.UnescapeDataString(Redirect.Query) : Body ?? string.Empty;

    public IReadOnlyDictionary<string, string> Query
        => Redirect is null
            ? new Dictionary<string, string>()
            : Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Redirect.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
}
