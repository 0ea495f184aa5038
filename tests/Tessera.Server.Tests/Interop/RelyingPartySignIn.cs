using System.Net;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// A person opening a protected page of a web app with <see cref="UserAgent"/>: the app sends the browser to Tessera,
/// the person signs in (and consents), Tessera returns to the app's callback (query or form_post, which the browser
/// submits as a real one would) and the app sets its session and sends the browser back to the page.
/// </summary>
public static partial class RelyingPartySignIn
{
    /// <summary>Where the app sent the browser, and the protected page as the browser finally got it.</summary>
    public sealed record Outcome(Uri AuthorizationRequest, HttpResponseMessage Callback, HttpStatusCode PageStatus, string PageBody)
    {
        public IReadOnlyDictionary<string, string> AuthorizationParameters
            => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(AuthorizationRequest.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static async Task<Outcome> OpenProtectedPageAsync(this UserAgent browser, string pageUrl, string userName, object? log = null)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var challenge = await browser.SendAsync(HttpMethod.Get, pageUrl);
        Assert.True(challenge.StatusCode == HttpStatusCode.Redirect, $"Expected the app to redirect to Tessera, got {(int)challenge.StatusCode}.");
        var authorize = challenge.Headers.Location!;

        var outcome = await browser.AuthorizeAsync(authorize.ToString(), userName);
        HttpResponseMessage callback;
        if (outcome.Redirect is { } redirect)
        {
            callback = await browser.SendAsync(HttpMethod.Get, redirect.ToString());
        }
        else
        {
            // response_mode=form_post: a page whose form the browser posts to the app's callback.
            var body = outcome.Body ?? string.Empty;
            var action = FormAction().Match(body);
            Assert.True(action.Success, $"Expected a redirect or a form_post page from Tessera, got {(int)outcome.LastResponse.StatusCode}: {body}");
            var fields = HiddenField().Matches(body)
                .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
                .ToList();
            callback = await browser.SendAsync(HttpMethod.Post, WebUtility.HtmlDecode(action.Groups[1].Value), fields);
        }

        Assert.True(callback.StatusCode == HttpStatusCode.Redirect,
            $"Expected the app's callback to redirect to the page, got {(int)callback.StatusCode}: {await callback.Content.ReadAsStringAsync()}\n{log}");
        var page = await browser.SendAsync(HttpMethod.Get, new Uri(new Uri(pageUrl), callback.Headers.Location!).ToString());
        return new Outcome(authorize, callback, page.StatusCode, await page.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("<form[^>]*method=\"post\"[^>]*action=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenField();
}
