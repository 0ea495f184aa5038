using System.Net;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Interop;

namespace Tessera.Server.Tests.Samples;

/// <summary>
/// The .NET samples end to end, as processes, with the registrations and settings of <c>samples/setup</c> (see
/// <see cref="SamplesFixture"/>): the web app signs a person in and shows orders whose stock OrdersApi read from
/// InventoryApi on behalf of that person (MSAL's <c>AcquireTokenOnBehalfOf</c>); the daemon reads them with its
/// certificate and app role, OrdersApi then reading InventoryApi as itself; the device code CLI signs the person in
/// once they approve the code at /devicelogin.
/// </summary>
public sealed partial class SamplesTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public void Setup_RunTwice_SecondRunUpdatesTheSameRegistrations()
    {
        Assert.Equal(2, samples.SetupRuns.Count);
        Assert.Equal(AppIds(samples.SetupRuns[0]), AppIds(samples.SetupRuns[1]));
        Assert.Contains($"Demo user: {samples.DemoUser}", samples.SetupRuns[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApp_SignIn_PageShowsStockThatOrdersApiReadOnBehalfOfTheUser()
    {
        using var browser = new UserAgent(samples);

        var outcome = await browser.OpenProtectedPageAsync(samples.WebAppOrigin + "/", samples.DemoUser, samples.WebApp);

        Assert.True(outcome.PageStatus == HttpStatusCode.OK, $"{(int)outcome.PageStatus} {outcome.PageBody}\n{samples.WebApp}\n{samples.OrdersApi}");
        var page = WebUtility.HtmlDecode(outcome.PageBody);
        Assert.DoesNotContain("id=\"error\"", page, StringComparison.Ordinal);
        Assert.Equal("S256", outcome.AuthorizationParameters["code_challenge_method"]);
        Assert.Equal("code", outcome.AuthorizationParameters["response_type"]);
        // The stock came from InventoryApi, which saw the user, OrdersApi as the client, and the scope OrdersApi holds.
        Assert.Contains("<td class=\"stock\">42</td>", page, StringComparison.Ordinal);
        Assert.Contains("<span id=\"grant\">on-behalf-of</span>", page, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"inventory-user\">{samples.DemoUser}</code>", page, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"inventory-client\">{samples.Setting("OrdersApi", "Tessera:ClientId")}</code>", page, StringComparison.Ordinal);
        Assert.Contains("<code id=\"inventory-scopes\">Inventory.Read</code>", page, StringComparison.Ordinal);
        // The demo user's app role at OrdersApi is in the token the web app got for it.
        Assert.Contains("<code id=\"orders-roles\">Orders.Approver</code>", page, StringComparison.Ordinal);

        // Placing an order needs Orders.ReadWrite, which the web app asked for at sign-in and was granted.
        var placed = await browser.SubmitAsync(outcome.Callback, outcome.PageBody,
            [new("Sku", "TSR-200"), new("Quantity", "3")], samples.WebAppOrigin + "/?handler=Order");
        Assert.True(placed.StatusCode == HttpStatusCode.Redirect, $"{(int)placed.StatusCode} {await placed.Content.ReadAsStringAsync()}");
        var after = await (await browser.SendAsync(HttpMethod.Get, samples.WebAppOrigin + "/")).Content.ReadAsStringAsync();
        Assert.Contains($"<td>3</td>", after, StringComparison.Ordinal);
        Assert.Contains($"<td>{samples.DemoUser}</td>", WebUtility.HtmlDecode(after), StringComparison.Ordinal);

        // Signing out ends Tessera's session too (RP-initiated logout) and comes back to the registered URI.
        var signOut = await browser.SubmitAsync(outcome.Callback, after, [], samples.WebAppOrigin + "/?handler=SignOut");
        Assert.True(signOut.StatusCode == HttpStatusCode.Redirect, $"{(int)signOut.StatusCode} {await signOut.Content.ReadAsStringAsync()}");
        Assert.StartsWith($"{samples.TenantBase}/oauth2/v2.0/logout", signOut.Headers.Location!.ToString(), StringComparison.Ordinal);
        var ended = await browser.AuthorizeAsync(signOut.Headers.Location.ToString(), userName: null);
        Assert.True(ended.Redirect is not null, ended.ErrorText);
        Assert.StartsWith($"{samples.WebAppOrigin}/signout-callback-oidc", ended.Redirect.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_CertificateAndAppRole_ReadsOrdersAndOrdersApiReadsInventoryAsItself()
    {
        await using var daemon = samples.StartSample("Daemon");

        var exit = await daemon.WaitForExitAsync(RunTimeout);

        Assert.True(exit == 0, daemon.ToString());
        Assert.Contains($"OrdersApi saw: application {samples.Setting("Daemon", "Tessera:ClientId")}, roles Orders.Read.All.", daemon.Output, StringComparison.Ordinal);
        Assert.Contains($"OrdersApi called InventoryApi with client-credentials; InventoryApi saw: application {samples.Setting("OrdersApi", "Tessera:ClientId")}, roles Inventory.Read.All.",
            daemon.Output, StringComparison.Ordinal);
        Assert.Contains("order 1: 2 x TSR-100 Hardware security key (in stock: 42)", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_FederatedTokenFile_NoSecret_ReadsOrders()
    {
        // The daemon's platform, played by a local issuer: it writes a workload token into a file.
        await using var platform = await TestIssuer.StartAsync();
        var daemonId = samples.Setting("Daemon", "Tessera:ClientId");
        await samples.Directory.AddFederatedCredentialAsync(Guid.Parse(daemonId), platform.Issuer, "system:serviceaccount:orders:daemon");
        var tokenFile = Path.Combine(Path.GetTempPath(), "tessera-tests", "federated-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        await File.WriteAllTextAsync(tokenFile, platform.Issue("api://AzureADTokenExchange", subject: "system:serviceaccount:orders:daemon"));
        try
        {
            await using var daemon = samples.StartSample("Daemon", $"--Tessera:FederatedTokenFile={tokenFile}");

            var exit = await daemon.WaitForExitAsync(RunTimeout);

            Assert.True(exit == 0, daemon.ToString());
            Assert.Contains("Credential: the external token in the federated token file (no secret).", daemon.Output, StringComparison.Ordinal);
            Assert.Contains($"OrdersApi saw: application {daemonId}, roles Orders.Read.All.", daemon.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task DeviceCodeCli_UserApprovesTheCode_ReadsOrdersOnBehalfOfTheUser()
    {
        await using var cli = samples.StartSample("DeviceCodeCli");
        var prompt = await cli.WaitForOutputAsync(DeviceCodePrompt(), RunTimeout);
        var (verificationUrl, userCode) = (prompt.Groups[1].Value, prompt.Groups[2].Value);
        Assert.Equal($"{samples.TenantBase}/devicelogin", verificationUrl);

        // The person, in a browser: signs in at /devicelogin, enters the code, approves.
        using (var browser = new UserAgent(samples))
        {
            await browser.AuthorizeAsync(verificationUrl, samples.DemoUser);
            var page = await browser.SendAsync(HttpMethod.Get, $"{verificationUrl}?user_code={Uri.EscapeDataString(userCode)}");
            var approved = await browser.SubmitAsync(page, await page.Content.ReadAsStringAsync(), [new("user_code", userCode), new("decision", "accept")], verificationUrl);
            Assert.True((int)approved.StatusCode is 302 or 303, approved.StatusCode.ToString());
        }

        var exit = await cli.WaitForExitAsync(RunTimeout);

        Assert.True(exit == 0, cli.ToString());
        Assert.Contains($"Signed in as {samples.DemoUser};", cli.Output, StringComparison.Ordinal);
        Assert.Contains($"OrdersApi saw: user {samples.DemoUser}, client {samples.Setting("DeviceCodeCli", "Tessera:ClientId")}, scopes Orders.Read.", cli.Output, StringComparison.Ordinal);
        Assert.Contains($"OrdersApi called InventoryApi on-behalf-of; InventoryApi saw: user {samples.DemoUser}, client {samples.Setting("OrdersApi", "Tessera:ClientId")}, scopes Inventory.Read.",
            cli.Output, StringComparison.Ordinal);
        Assert.Contains("(in stock: 42)", cli.Output, StringComparison.Ordinal);
    }

    /// <summary>The application ids in setup's output (one per settings file, in the files), in order.</summary>
    private static List<string> AppIds(string setupOutput)
        => [.. Regex.Matches(setupOutput, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Select(m => m.Value)];

    [GeneratedRegex(@"To sign in, open (\S+) and enter the code (\S+) ")]
    private static partial Regex DeviceCodePrompt();
}
