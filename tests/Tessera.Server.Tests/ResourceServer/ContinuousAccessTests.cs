using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.AspNetCore;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// Continuous Access Evaluation end to end: the server's transmitter and the SDK's receiver in an API on its own
/// Kestrel host, over real HTTP. An admin change (disable a user, change a password, revoke sessions) makes the API
/// refuse the user's older token, by push and by poll, in several API instances, and after a receiver restart.
/// </summary>
public sealed class ContinuousAccessTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>, IAsyncLifetime
{
    // Generous: this proves that the event arrives, not how fast (bench/ measures that).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private string _secret = null!;
    private AdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _secret = await fixture.Server.Directory.AddSecretAsync(fixture.ApiId);
        _admin = await AdminClient.BootstrapAsync(fixture.Server);
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DisableUser_Push_ApiRefusesOlderToken()
    {
        var (userId, token) = await UserTokenAsync(cp1: false);
        await using var api = await StartReceiverAsync(TesseraEventDelivery.Push);
        await AssertAcceptedAsync(api, token);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.JsonAsync(HttpMethod.Patch, $"users/{userId}", new { accountEnabled = false })).Status);

        var refused = await RefusedAsync(api, token);
        Assert.Contains("error=\"invalid_token\"", refused, StringComparison.Ordinal);
        Assert.True(api.Logs.Contains("risc/event-type/account-disabled"), api.Logs.Dump());
    }

    [Fact]
    public async Task PasswordChange_Poll_CapableClientGetsClaimsChallenge()
    {
        var (userId, token) = await UserTokenAsync(cp1: true);
        await using var api = await StartReceiverAsync(TesseraEventDelivery.Poll);
        await AssertAcceptedAsync(api, token);

        var changed = await _admin.JsonAsync(HttpMethod.Patch, $"users/{userId}", new { passwordProfile = new { password = "another horse battery staple 7" } });
        Assert.Equal(HttpStatusCode.NoContent, changed.Status);

        var refused = await RefusedAsync(api, token);
        Assert.Contains("error=\"insufficient_claims\"", refused, StringComparison.Ordinal);
        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(refused.Split("claims=\"")[1].TrimEnd('"')));
        Assert.StartsWith("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"", claims, StringComparison.Ordinal);
        Assert.True(api.Logs.Contains("caep/event-type/credential-change"), api.Logs.Dump());
    }

    [Fact]
    public async Task RevokeSignInSessions_TwoInstances_PushAndPoll_BothRefuse()
    {
        var (userId, token) = await UserTokenAsync(cp1: false);
        await using var pushed = await StartReceiverAsync(TesseraEventDelivery.Push);
        await using var polled = await StartReceiverAsync(TesseraEventDelivery.Poll);
        await AssertAcceptedAsync(pushed, token);
        await AssertAcceptedAsync(polled, token);

        Assert.Equal(HttpStatusCode.OK, (await _admin.JsonAsync(HttpMethod.Post, $"users/{userId}/revokeSignInSessions")).Status);

        await RefusedAsync(pushed, token);
        await RefusedAsync(polled, token);
        Assert.True(pushed.Logs.Contains("caep/event-type/session-revoked"), pushed.Logs.Dump());
    }

    [Fact]
    public async Task ReceiverRestart_Poll_CatchesUpWithWhatItMissed()
    {
        var state = Path.Combine(Path.GetTempPath(), "tessera-tests", "cae-" + Guid.NewGuid().ToString("N"));
        var (userId, token) = await UserTokenAsync(cp1: false);
        await using (var first = await StartReceiverAsync(TesseraEventDelivery.Poll, state))
        {
            await AssertAcceptedAsync(first, token);
        }

        // While no instance runs: the stream keeps the event.
        Assert.Equal(HttpStatusCode.OK, (await _admin.JsonAsync(HttpMethod.Post, $"users/{userId}/revokeSignInSessions")).Status);

        await using var restarted = await StartReceiverAsync(TesseraEventDelivery.Poll, state, waitForStream: false);
        await RefusedAsync(restarted, token);
        Assert.True(restarted.Logs.Contains("TSR6815"), restarted.Logs.Dump()); // the same stream, not a new one
    }

    [Fact]
    public async Task ReceiverRestart_Push_SameAddress_CatchesUp()
    {
        var state = Path.Combine(Path.GetTempPath(), "tessera-tests", "cae-" + Guid.NewGuid().ToString("N"));
        var port = ProtectedApi.FreePort();
        var (userId, token) = await UserTokenAsync(cp1: false);
        await using (var first = await StartReceiverAsync(TesseraEventDelivery.Push, state, port: port))
        {
            await AssertAcceptedAsync(first, token);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.JsonAsync(HttpMethod.Patch, $"users/{userId}", new { accountEnabled = false })).Status);

        await using var restarted = await StartReceiverAsync(TesseraEventDelivery.Push, state, port: port, waitForStream: false);
        await RefusedAsync(restarted, token, TimeSpan.FromSeconds(60)); // the transmitter retries with backoff
    }

    [Fact]
    public async Task ConsentForEveryUserRemoved_Poll_ClientsDelegatedTokenRefused()
    {
        var client = await CodeFlowClient.RegisterAsync(fixture.Server);
        await fixture.Server.Directory.GrantConsentAsync(client.Application.AppId, fixture.ApiId, "Orders.Read");
        var user = await fixture.Server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, $"openid {fixture.Identifier}/Orders.Read");
        browser.Dispose();
        using var http = fixture.Server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        await using var api = await StartReceiverAsync(TesseraEventDelivery.Poll);
        await AssertAcceptedAsync(api, tokens.AccessToken);
        await AssertAcceptedAsync(api, fixture.UserTokens.AccessToken); // another client's

        var grant = await fixture.Server.Directory.QueryAsync(db => db.OAuth2PermissionGrants
            .Where(g => g.ClientId == client.Application.AppId && g.PrincipalId == Guid.Empty).Select(g => g.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.JsonAsync(HttpMethod.Delete, $"oauth2PermissionGrants/{grant}")).Status);

        await RefusedAsync(api, tokens.AccessToken);
        await AssertAcceptedAsync(api, fixture.UserTokens.AccessToken);
    }

    [Fact]
    public async Task DisableServicePrincipal_CertificateCredential_AppTokenRefused()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=orders api", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await fixture.Server.Directory.AddCertificateAsync(fixture.ApiId, certificate);
        var daemon = await fixture.Server.Directory.RegisterAsync(new Tessera.Server.Directory.NewApplication("cae daemon " + Guid.NewGuid().ToString("N")[..6]));
        var secret = await fixture.Server.Directory.AddSecretAsync(daemon.AppId);
        await fixture.Server.Directory.AssignAsync(daemon.AppId, "ServicePrincipal", fixture.ApiId, "Orders.Read.All");
        using var http = fixture.Server.CreateHttpClient();
        var tokens = await TokenClient.PostAsync(http, fixture.Server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", fixture.ApiId + "/.default"));
        tokens.AssertSuccess();
        await using var api = await StartReceiverAsync(TesseraEventDelivery.Poll, certificate: certificate);
        await AssertAcceptedAsync(api, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{daemon.AppId}", new { accountEnabled = false })).Status);

        await RefusedAsync(api, tokens.AccessToken);
    }

    private async Task<ProtectedApi> StartReceiverAsync(TesseraEventDelivery delivery, string? state = null, int port = 0, bool waitForStream = true,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        port = port == 0 && delivery == TesseraEventDelivery.Push ? ProtectedApi.FreePort() : port;
        var api = await fixture.StartApiAsync(o =>
        {
            o.ContinuousAccess.Enabled = true;
            o.ContinuousAccess.Delivery = delivery;
            o.ContinuousAccess.ClientSecret = certificate is null ? _secret : null;
            o.ContinuousAccess.ClientCertificate = certificate;
            o.ContinuousAccess.PushEndpoint = $"http://127.0.0.1:{port}/ssf/events";
            o.ContinuousAccess.StateDirectory = state;
        }, port: port);
        if (waitForStream)
        {
            // Events are queued for the streams that exist when they happen.
            var until = DateTime.UtcNow + Bound;
            while (!api.Logs.Contains("TSR6814") && !api.Logs.Contains("TSR6815"))
            {
                Assert.True(DateTime.UtcNow < until, "The receiver made no stream: " + api.Logs.Dump());
                await Task.Delay(50);
            }
        }

        return api;
    }

    /// <summary>A user's token for the Orders API, its client declaring <c>cp1</c> or not.</summary>
    private async Task<(Guid UserId, string Token)> UserTokenAsync(bool cp1)
    {
        var user = await fixture.Server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await fixture.WebClient.SignInAsync(user.UserName!, $"openid {fixture.Identifier}/Orders.Read");
        browser.Dispose();
        using var http = fixture.Server.CreateHttpClient();
        (string, string)[] fields = [("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.Verifier), ("redirect_uri", fixture.WebClient.Redirect)];
        if (cp1)
        {
            fields = [.. fields, ("claims", """{"access_token":{"xms_cc":{"values":["cp1"]}}}""")];
        }

        var tokens = await TokenClient.PostAsync(http, fixture.Server.TokenEndpoint, fixture.WebClient.WithAuthentication(fields));
        tokens.AssertSuccess();
        return (user.Id, tokens.AccessToken);
    }

    private static async Task AssertAcceptedAsync(ProtectedApi api, string token)
    {
        using var response = await api.GetAsync("/me", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Asks until the API refuses the token (at most <see cref="Bound"/>); its challenge.</summary>
    private static async Task<string> RefusedAsync(ProtectedApi api, string token, TimeSpan? bound = null)
    {
        var until = DateTime.UtcNow + (bound ?? Bound);
        while (true)
        {
            using var response = await api.GetAsync("/me", token);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return response.Headers.WwwAuthenticate.ToString();
            }

            Assert.True(DateTime.UtcNow < until, "Still accepted: " + api.Logs.Dump());
            await Task.Delay(50);
        }
    }
}
