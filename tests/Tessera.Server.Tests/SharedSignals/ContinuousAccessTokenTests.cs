using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>
/// The token side of Continuous Access Evaluation: clients that handle claims challenges (<c>cp1</c>) get long-lived
/// access tokens; an API's challenge (<c>access_token.nbf</c>) makes an older sign-in sign in again, at the authorize
/// endpoint and at refresh.
/// </summary>
public sealed class ContinuousAccessTokenTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Cp1 = """{"access_token":{"xms_cc":{"values":["cp1"]}}}""";

    [Fact]
    public async Task AccessToken_ForCp1Client_LivesAboutADay_OthersAnHour()
    {
        var api = await server.Directory.RegisterApiAsync("api://cae-" + Guid.NewGuid().ToString("N")[..6]);
        var daemon = await server.Directory.RegisterAsync(new Tessera.Server.Directory.NewApplication("cae daemon"));
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = server.CreateHttpClient();
        (string, string)[] fields = [("grant_type", "client_credentials"), ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", api.IdentifierUris[0] + "/.default")];

        var capable = await TokenClient.PostAsync(http, server.TokenEndpoint, [.. fields, ("claims", Cp1)]);
        capable.AssertSuccess();
        var lifetime = capable.Access.ValidTo - capable.Access.IssuedAt;
        Assert.InRange(lifetime, TimeSpan.FromHours(20), TimeSpan.FromHours(28));
        Assert.InRange(capable.Json.GetProperty("expires_in").GetInt64(), (long)TimeSpan.FromHours(20).TotalSeconds - 5, (long)TimeSpan.FromHours(28).TotalSeconds);
        Assert.Equal(["cp1"], capable.Access.Claims.Where(c => c.Type == "xms_cc").Select(c => c.Value));

        var plain = await TokenClient.PostAsync(http, server.TokenEndpoint, fields);
        plain.AssertSuccess();
        Assert.InRange(plain.Access.ValidTo - plain.Access.IssuedAt, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(90));
    }

    [Fact]
    public async Task Refresh_WithNotBeforeAfterTheSignIn_IsInvalidGrantWithSuberror()
    {
        var (client, refreshToken, signedInAt) = await SignedInAsync();
        using var http = server.CreateHttpClient();

        var challenged = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("claims", NotBefore(DateTimeOffset.UtcNow.AddSeconds(30)))));
        challenged.AssertError("invalid_grant", "TSR8021");
        Assert.Equal("bad_token", challenged.Json.GetProperty("suberror").GetString());

        var tooFarAhead = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("claims", NotBefore(DateTimeOffset.UtcNow.AddHours(1)))));
        tooFarAhead.AssertError("invalid_request", "TSR8020");

        // A challenge that the sign-in already satisfies changes nothing.
        var satisfied = await TokenClient.PostAsync(http, server.TokenEndpoint, client.WithAuthentication(
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("claims", NotBefore(signedInAt.AddSeconds(-5)))));
        satisfied.AssertSuccess();
    }

    [Fact]
    public async Task Authorize_WithNotBeforeAfterTheSession_SignsTheUserInAgain()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            // The session satisfies an old time: a code at once.
            using var satisfied = await browser.SendAsync(HttpMethod.Get, client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?>
            {
                ["claims"] = NotBefore(DateTimeOffset.UtcNow.AddMinutes(-10)),
            }));
            Assert.Equal(HttpStatusCode.Redirect, satisfied.StatusCode);
            Assert.StartsWith(CodeFlowClient.RedirectUri, satisfied.Headers.Location!.ToString(), StringComparison.Ordinal);

            // A time after the session's sign-in: the sign-in page again.
            using var challenged = await browser.SendAsync(HttpMethod.Get, client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?>
            {
                ["claims"] = NotBefore(DateTimeOffset.UtcNow.AddSeconds(30)),
            }));
            Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
            Assert.Contains("/account/signin", challenged.Headers.Location!.ToString(), StringComparison.Ordinal);

            using var invalid = await browser.SendAsync(HttpMethod.Get, client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?>
            {
                ["claims"] = """{"access_token":{"nbf":{"essential":true,"value":"yesterday"}}}""",
            }));
            Assert.Equal(HttpStatusCode.Redirect, invalid.StatusCode);
            Assert.Contains("TSR8020", Uri.UnescapeDataString(invalid.Headers.Location!.ToString()), StringComparison.Ordinal);
        }
    }

    private async Task<(CodeFlowClient Client, string RefreshToken, DateTimeOffset SignedInAt)> SignedInAsync()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var signedInAt = DateTimeOffset.UtcNow;
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var redeemed = await client.RedeemAsync(http, code, pkce.Verifier);
        redeemed.AssertSuccess();
        return (client, redeemed.RefreshToken!, signedInAt);
    }

    private static string NotBefore(DateTimeOffset at)
        => JsonSerializer.Serialize(new { access_token = new { nbf = new { essential = true, value = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) } } });
}
