using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore;
using Tessera.AspNetCore.ContinuousAccess;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.ResourceServer;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>
/// Continuous Access Evaluation across processes, as deployed: the Tessera server runs as its own OS process
/// (<see cref="ServerProcessFixture"/>), the API is an ASP.NET Core host in this one with <c>AddTesseraApi</c> and the
/// receiver, and only HTTP joins them. An admin change makes the API refuse the user's older token within a bound; a
/// receiver that was down catches up from its stream; SETs that are forged or replayed are refused and logged.
/// </summary>
public sealed class ContinuousAccessAcrossProcessesTests(ServerProcessFixture server) : IClassFixture<ServerProcessFixture>
{
    // An upper bound that proves the event reaches the API about at once, not a measure (bench/cae measures).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task DisableUser_Push_ApiInThisProcessRefusesWithinBound()
    {
        var (userId, token) = await server.UserTokenAsync();
        await using var api = await StartApiAsync(TesseraEventDelivery.Push);
        await AssertStatusAsync(api, token, HttpStatusCode.OK);

        var sent = Stopwatch.StartNew();
        await server.AdminAsync(HttpMethod.Patch, $"users/{userId}", new { accountEnabled = false });

        var challenge = await RefusedWithinAsync(api, token, Bound - sent.Elapsed);
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.True(api.Logs.Contains("risc/event-type/account-disabled"), api.Logs.Dump());
    }

    [Fact]
    public async Task PasswordChangeAndRevokedSessions_Poll_RefusedWithinBound()
    {
        var (changed, changedToken) = await server.UserTokenAsync(cp1: true);
        var (revoked, revokedToken) = await server.UserTokenAsync();
        var (_, bystanderToken) = await server.UserTokenAsync();
        await using var api = await StartApiAsync(TesseraEventDelivery.Poll);
        await AssertStatusAsync(api, changedToken, HttpStatusCode.OK);
        await AssertStatusAsync(api, revokedToken, HttpStatusCode.OK);

        var sent = Stopwatch.StartNew();
        await server.AdminAsync(HttpMethod.Patch, $"users/{changed}", new { passwordProfile = new { password = "another unusual passphrase 902" } });
        var challenge = await RefusedWithinAsync(api, changedToken, Bound - sent.Elapsed);
        Assert.Contains("error=\"insufficient_claims\"", challenge, StringComparison.Ordinal);

        sent.Restart();
        await server.AdminAsync(HttpMethod.Post, $"users/{revoked}/revokeSignInSessions");
        await RefusedWithinAsync(api, revokedToken, Bound - sent.Elapsed);

        await AssertStatusAsync(api, bystanderToken, HttpStatusCode.OK);
        Assert.True(api.Logs.Contains("caep/event-type/credential-change") && api.Logs.Contains("caep/event-type/session-revoked"), api.Logs.Dump());
    }

    [Theory]
    [InlineData(TesseraEventDelivery.Poll)]
    [InlineData(TesseraEventDelivery.Push)]
    public async Task ReceiverRestart_ChangesWhileDown_AllAppliedAfterwards(TesseraEventDelivery delivery)
    {
        var state = Path.Combine(Path.GetTempPath(), "tessera-tests", "cae-process-" + Guid.NewGuid().ToString("N"));
        var port = ProtectedApi.FreePort();
        var users = new List<(Guid Id, string Token)>();
        for (var i = 0; i < 3; i++)
        {
            users.Add(await server.UserTokenAsync());
        }

        var (_, bystanderToken) = await server.UserTokenAsync();
        await using (var first = await StartApiAsync(delivery, state, port))
        {
            await AssertStatusAsync(first, users[0].Token, HttpStatusCode.OK);
        }

        // While the API is stopped: three changes, each queued on its stream.
        await server.AdminAsync(HttpMethod.Patch, $"users/{users[0].Id}", new { accountEnabled = false });
        await server.AdminAsync(HttpMethod.Post, $"users/{users[1].Id}/revokeSignInSessions");
        await server.AdminAsync(HttpMethod.Delete, $"users/{users[2].Id}");

        await using var restarted = await StartApiAsync(delivery, state, port);
        foreach (var (_, token) in users)
        {
            // Push retries back off while the API was down (1, 2, 4... s): a wider bound than for a live receiver.
            await RefusedWithinAsync(restarted, token, TimeSpan.FromSeconds(60));
        }

        await AssertStatusAsync(restarted, bystanderToken, HttpStatusCode.OK);
        Assert.True(restarted.Logs.Contains("TSR6815"), restarted.Logs.Dump()); // the same stream as before the restart
    }

    [Fact]
    public async Task ForgedOrReplayedSets_Refused_Logged_NoEffect()
    {
        var (userId, token) = await server.UserTokenAsync();

        // Real SETs of the real server about this user, captured before the API makes its stream (so that none reaches
        // it by itself): one addressed to this API, one to another application.
        var genuine = await CaptureSetAsync(server.ApiId, server.ApiSecret, userId);
        var other = await server.AdminAsync(HttpMethod.Post, "applications", new { displayName = "another receiver" });
        var otherSecret = (await server.AdminAsync(HttpMethod.Post, $"applications/{other["id"]!.GetValue<string>()}/addPassword",
            new { passwordCredential = new { displayName = "tests" } }))["secretText"]!.GetValue<string>();
        var forOther = await CaptureSetAsync(Guid.Parse(other["appId"]!.GetValue<string>()), otherSecret, userId);
        var parts = genuine.Split('.');
        var badSignature = $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}";
        var attackerSigned = TokenForge.SignedByAttacker(
            JsonSerializer.Deserialize<Dictionary<string, object>>(Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])))!,
            keyId: null, type: "secevent+jwt");
        await using var api = await StartApiAsync(TesseraEventDelivery.Push);
        await AssertStatusAsync(api, token, HttpStatusCode.OK);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_key"), await PushAsync(api, badSignature));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_key"), await PushAsync(api, attackerSigned));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_audience"), await PushAsync(api, forOther));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), await PushAsync(api, "not a token"));
        await AssertStatusAsync(api, token, HttpStatusCode.OK); // none of them had any effect

        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, genuine));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), await PushAsync(api, genuine));
        Assert.True(api.Logs.Contains("TSR2827"), api.Logs.Dump()); // replayed jti, logged
        Assert.True(api.Logs.Contains("TSR2822") && api.Logs.Contains("TSR2824") && api.Logs.Contains("TSR6810"), api.Logs.Dump());
        await AssertStatusAsync(api, token, HttpStatusCode.Unauthorized); // the genuine one applied
    }

    private async Task<ProtectedApi> StartApiAsync(TesseraEventDelivery delivery, string? state = null, int port = 0)
    {
        port = port == 0 && delivery == TesseraEventDelivery.Push ? ProtectedApi.FreePort() : port;
        var api = await ProtectedApi.StartAsync(null, o =>
        {
            o.Instance = server.Origin + "/";
            o.TenantId = server.TenantId.ToString();
            o.ClientId = server.ApiId.ToString();
            o.Audience = server.ApiUri;
            o.ContinuousAccess.Enabled = true;
            o.ContinuousAccess.Delivery = delivery;
            o.ContinuousAccess.ClientSecret = server.ApiSecret;
            o.ContinuousAccess.PushEndpoint = $"http://127.0.0.1:{port}/ssf/events";
            o.ContinuousAccess.StateDirectory = state;
        }, port: port);

        // Events are queued for the streams that exist when they happen: wait for this receiver's.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!api.Logs.Contains("TSR6814") && !api.Logs.Contains("TSR6815"))
        {
            Assert.True(DateTime.UtcNow < until, "The receiver made no stream: " + api.Logs.Dump() + "\nserver:\n" + server.ServerOutput);
            await Task.Delay(50);
        }

        return api;
    }

    /// <summary>The next SET the server queues for <paramref name="appId"/> after revoking <paramref name="userId"/>'s sessions, read from a poll stream of that application.</summary>
    private async Task<string> CaptureSetAsync(Guid appId, string secret, Guid userId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.TenantBase + "/") };
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", appId.ToString()), ("client_secret", secret), ("scope", "urn:tessera:ssf/.default"));
        token.AssertSuccess();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        using var created = await http.PostAsync("ssf/streams", JsonContent(new { delivery = new { method = "urn:ietf:rfc:8936" } }));
        var streamId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["stream_id"]!.GetValue<string>();
        await server.AdminAsync(HttpMethod.Post, $"users/{userId}/revokeSignInSessions");
        using var polled = await http.PostAsync($"ssf/poll/{streamId}", JsonContent(new { returnImmediately = false }));
        var sets = JsonNode.Parse(await polled.Content.ReadAsStringAsync())!["sets"]!.AsObject();
        return Assert.Single(sets).Value!.GetValue<string>();
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, string? Err)> PushAsync(ProtectedApi api, string set)
    {
        var receiver = api.Services.GetServices<SharedSignalsReceiver>().Single();
        using var http = api.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ssf/events") { Content = new StringContent(set, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        request.Headers.TryAddWithoutValidation("Authorization", receiver.PushAuthorization);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? null : JsonDocument.Parse(body).RootElement.GetProperty("err").GetString());
    }

    private static async Task AssertStatusAsync(ProtectedApi api, string token, HttpStatusCode expected)
    {
        using var response = await api.GetAsync("/me", token);
        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>Asks until the API refuses the token; fails when <paramref name="bound"/> passes first. Its challenge.</summary>
    private static async Task<string> RefusedWithinAsync(ProtectedApi api, string token, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await api.GetAsync("/me", token);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return response.Headers.WwwAuthenticate.ToString();
            }

            Assert.True(clock.Elapsed < bound, $"Still accepted after {clock.Elapsed.TotalSeconds:0.0} s: " + api.Logs.Dump());
            await Task.Delay(25);
        }
    }
}
