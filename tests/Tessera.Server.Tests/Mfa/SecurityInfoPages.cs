using System.Net;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Mfa;

/// <summary>Drives the sign-in and Security info pages over HTTP as a person would, for the MFA tests.</summary>
public static partial class SecurityInfoPages
{
    public static string SecurityInfo(TesseraServerFixture server) => $"{server.TenantBase}/account/security-info";

    public static string SignIn(TesseraServerFixture server) => $"{server.TenantBase}/account/signin";

    /// <summary>Signs in with the password (and the app's code when asked) and returns the page the browser lands on.</summary>
    public static async Task<(HttpResponseMessage Response, string Body)> SignInAsync(
        UserAgent browser, TesseraServerFixture server, string userName, string? returnUrl = null, string? key = null)
    {
        var url = returnUrl is null ? SignIn(server) : Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(SignIn(server), "returnUrl", returnUrl);
        var page = await browser.SendAsync(HttpMethod.Get, url);
        var response = await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(),
            [new("UserName", userName), new("Password", TestDirectory.Password)]);
        return await FollowAsync(browser, response, key);
    }

    /// <summary>Follows redirects inside the server; answers the two-factor page with the app's current code if a key is given.</summary>
    public static async Task<(HttpResponseMessage Response, string Body)> FollowAsync(UserAgent browser, HttpResponseMessage response, string? key = null)
    {
        for (var hop = 0; hop < 10; hop++)
        {
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Found)
            {
                var location = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
                response = await browser.SendAsync(HttpMethod.Get, location.ToString());
                continue;
            }

            var body = await response.Content.ReadAsStringAsync();
            if (key is not null && body.Contains("id=\"two-factor\"", StringComparison.Ordinal) && !body.Contains("id=\"error\"", StringComparison.Ordinal))
            {
                response = await browser.SubmitAsync(response, body, [new("Code", Totp.Unused(key, UsedCodes(key)))]);
                key = null;
                continue;
            }

            return (response, body);
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>Posts one of the Security info page's forms (by handler) with <paramref name="fields"/>.</summary>
    public static async Task<(HttpResponseMessage Response, string Body)> PostAsync(
        UserAgent browser, TesseraServerFixture server, string handler, params (string Name, string Value)[] fields)
    {
        var page = await browser.SendAsync(HttpMethod.Get, SecurityInfo(server));
        var body = await page.Content.ReadAsStringAsync();
        var response = await browser.SubmitAsync(page, body, [.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))],
            $"{SecurityInfo(server)}?handler={handler}");
        return await FollowAsync(browser, response);
    }

    /// <summary>Sets up the authenticator app through the page; returns the shared key and the recovery codes shown once.</summary>
    public static async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> SetUpAuthenticatorAsync(UserAgent browser, TesseraServerFixture server)
    {
        var (_, setup) = await PostAsync(browser, server, "setUpAuthenticator");
        var key = SharedKey().Match(setup);
        Assert.True(key.Success, setup);
        Assert.Contains("src=\"data:image/png;base64,", setup, StringComparison.Ordinal);
        var secret = key.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal);
        var (response, confirmed) = await PostAsync(browser, server, "confirmAuthenticator", ("Code", Totp.Unused(secret, UsedCodes(secret))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var codes = RecoveryCode().Matches(confirmed).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        return (secret, codes);
    }

    /// <summary>The codes of a key the tests have spent (the server accepts each once).</summary>
    public static ISet<string> UsedCodes(string key) => Used.GetOrAdd(key, _ => new HashSet<string>(StringComparer.Ordinal));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ISet<string>> Used = new(StringComparer.Ordinal);

    [GeneratedRegex("<code id=\"shared-key\">([a-z2-7 ]+)</code>")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCode();
}
