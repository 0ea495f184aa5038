using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Tessera.Server.Tests.Browser;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright. The driver (node included) ships in the NuGet package and the
/// browser is the system one, so nothing is ever downloaded. One browser per test class; every test gets a
/// <see cref="BrowserSession"/> of its own, so no cookie crosses from one test to another.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"The browser tests drive Debian's Chromium at {ExecutablePath}; install it with 'apt-get install chromium'.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context whose requests to <paramref name="redirectUri"/> never leave the browser.</summary>
    /// <param name="trustTestCertificate">For a server on HTTPS with the tests' self-signed certificate.</param>
    public Task<BrowserSession> NewSessionAsync(string redirectUri, bool trustTestCertificate = false)
        => BrowserSession.StartAsync(_browser ?? throw new InvalidOperationException("Chromium is not running."), redirectUri, trustTestCertificate);

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// One browser context and its page, standing in for the user's browser and the client application at once: the
/// client's redirect URI is answered inside the browser (nothing has to listen there) and the URL it was sent to is
/// kept. Content security policy violations and console errors are recorded so that tests can insist on none.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    // Runs before any page script and is not subject to the page's CSP; reports through a Playwright binding.
    private const string ViolationReporter = """
        document.addEventListener('securitypolicyviolation', e =>
            window.tesseraReportViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI}`));
        """;

    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<string> _consoleErrors = new();
    private readonly TaskCompletionSource<Uri> _redirect = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrowserSession(IBrowserContext context) => Context = context;

    public IBrowserContext Context { get; }

    public IPage Page { get; private set; } = null!;

    public IReadOnlyCollection<string> CspViolations => _violations;

    public IReadOnlyCollection<string> ConsoleErrors => _consoleErrors;

    /// <summary>Completes with the first URL the browser is sent to at the redirect URI.</summary>
    public Task<Uri> ClientRedirect => _redirect.Task;

    /// <summary>The body the browser posted to the redirect URI (response_mode=form_post), if it posted.</summary>
    public string? ClientRedirectBody { get; private set; }

    public static async Task<BrowserSession> StartAsync(IBrowser browser, string redirectUri, bool trustTestCertificate = false)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(new()
        {
            Locale = "en-GB", ViewportSize = new() { Width = 900, Height = 700 }, IgnoreHTTPSErrors = trustTestCertificate,
        });
        var session = new BrowserSession(context);
        await context.ExposeFunctionAsync<string>("tesseraReportViolation", session._violations.Enqueue);
        await context.AddInitScriptAsync(ViolationReporter);
        await context.RouteAsync(url => url == redirectUri || url.StartsWith(redirectUri + "?", StringComparison.Ordinal), async route =>
        {
            session.ClientRedirectBody = route.Request.PostData;
            session._redirect.TrySetResult(new Uri(route.Request.Url));
            await route.FulfillAsync(new()
            {
                Status = 200,
                ContentType = "text/html; charset=utf-8",
                Body = "<!DOCTYPE html><title>Client</title><p>The client has the response.</p>",
            });
        });

        session.Page = await context.NewPageAsync();
        session.Page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session._consoleErrors.Enqueue($"{message.Text} ({message.Location})");
            }
        };
        return session;
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
