using System.Net;
using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>The transmitter's metadata and stream management (SSF 1.0 §7, §8.1), with receivers' tokens for urn:tessera:ssf.</summary>
public sealed class StreamManagementTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task Metadata_AtPathInsertionAndUnderTenant_DescribesTheTransmitter()
    {
        using var http = server.CreateHttpClient();
        var inserted = JsonNode.Parse(await http.GetStringAsync($"/.well-known/ssf-configuration/{server.TenantId:D}/v2.0"))!;
        var underTenant = JsonNode.Parse(await http.GetStringAsync($"/{server.TenantId:D}/v2.0/.well-known/ssf-configuration"))!;
        Assert.Equal(inserted.ToJsonString(), underTenant.ToJsonString());
        Assert.Equal("1_0", inserted["spec_version"]!.GetValue<string>());
        Assert.Equal(server.Authority, inserted["issuer"]!.GetValue<string>());
        Assert.Equal($"{server.TenantBase}/discovery/v2.0/keys", inserted["jwks_uri"]!.GetValue<string>());
        Assert.Equal($"{server.TenantBase}/ssf/streams", inserted["configuration_endpoint"]!.GetValue<string>());
        Assert.Equal($"{server.TenantBase}/ssf/streams/status", inserted["status_endpoint"]!.GetValue<string>());
        Assert.Equal($"{server.TenantBase}/ssf/verify", inserted["verification_endpoint"]!.GetValue<string>());
        Assert.Equal(["urn:ietf:rfc:8935", "urn:ietf:rfc:8936"], inserted["delivery_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));

        using var unknown = await http.GetAsync($"/.well-known/ssf-configuration/{Guid.NewGuid():D}/v2.0");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ReceiverToken_ForSharedSignals_HasTheBuiltInAudience()
    {
        using var receiver = await SignalReceiverClient.RegisterAsync(server);
        Assert.Equal(["urn:tessera:ssf"], receiver.Token.Audiences);
        Assert.Equal("app", receiver.Token.GetClaim("idtyp").Value);
        Assert.Equal(receiver.AppId.ToString("D"), receiver.Token.GetClaim("azp").Value);
        Assert.False(receiver.Token.TryGetClaim("roles", out _));
        var (status, json) = await receiver.SendAsync(HttpMethod.Get, "ssf/streams");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(json!.AsArray());
    }

    [Fact]
    public async Task Stream_CreateReadUpdateStatusDelete_RoundTrips()
    {
        using var receiver = await SignalReceiverClient.RegisterAsync(server);
        var (created, stream) = await receiver.SendAsync(HttpMethod.Post, "ssf/streams", new
        {
            delivery = new { method = SignalReceiverClient.PushMethod, endpoint_url = "https://api.example.com/caep", authorization_header = "Bearer secret-1" },
            events_requested = new[] { "https://schemas.openid.net/secevent/risc/event-type/account-disabled", "urn:example:unknown" },
            description = "orders api, instance 1",
        });
        Assert.Equal(HttpStatusCode.Created, created);
        var id = stream!["stream_id"]!.GetValue<string>();
        Assert.Equal(server.Authority, stream["iss"]!.GetValue<string>());
        Assert.Equal(receiver.AppId.ToString("D"), stream["aud"]!.GetValue<string>());
        Assert.Equal(["https://schemas.openid.net/secevent/risc/event-type/account-disabled"], stream["events_delivered"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(6, stream["events_supported"]!.AsArray().Count);
        Assert.Equal(86400, stream["inactivity_timeout"]!.GetValue<int>());
        Assert.Null(stream["delivery"]!["authorization_header"]);

        var (read, readBack) = await receiver.SendAsync(HttpMethod.Get, $"ssf/streams?stream_id={id}");
        Assert.Equal(HttpStatusCode.OK, read);
        Assert.Equal("orders api, instance 1", readBack!["description"]!.GetValue<string>());

        var (patched, afterPatch) = await receiver.SendAsync(HttpMethod.Patch, "ssf/streams", new { stream_id = id, description = "renamed", events_requested = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("renamed", afterPatch!["description"]!.GetValue<string>());
        Assert.Equal(6, afterPatch["events_delivered"]!.AsArray().Count);
        Assert.Equal("https://api.example.com/caep", afterPatch["delivery"]!["endpoint_url"]!.GetValue<string>());

        var (replaced, afterPut) = await receiver.SendAsync(HttpMethod.Put, "ssf/streams", new
        {
            stream_id = id, delivery = new { method = SignalReceiverClient.PushMethod, endpoint_url = "https://api.example.com/caep2" },
        });
        Assert.Equal(HttpStatusCode.OK, replaced);
        Assert.Equal("https://api.example.com/caep2", afterPut!["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Null(afterPut["description"]);

        var (paused, pausedStatus) = await receiver.SendAsync(HttpMethod.Post, "ssf/streams/status", new { stream_id = id, status = "paused", reason = "maintenance" });
        Assert.Equal(HttpStatusCode.OK, paused);
        Assert.Equal("paused", pausedStatus!["status"]!.GetValue<string>());
        var (_, statusRead) = await receiver.SendAsync(HttpMethod.Get, $"ssf/streams/status?stream_id={id}");
        Assert.Equal("maintenance", statusRead!["reason"]!.GetValue<string>());

        var (verified, _) = await receiver.SendAsync(HttpMethod.Post, "ssf/verify", new { stream_id = id, state = "abc" });
        Assert.Equal(HttpStatusCode.NoContent, verified);

        var (deleted, _) = await receiver.SendAsync(HttpMethod.Delete, $"ssf/streams?stream_id={id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        var (gone, _) = await receiver.SendAsync(HttpMethod.Get, $"ssf/streams?stream_id={id}");
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    [Fact]
    public async Task Stream_OfAnotherApplication_Is404()
    {
        using var owner = await SignalReceiverClient.RegisterAsync(server);
        using var other = await SignalReceiverClient.RegisterAsync(server);
        var id = await owner.CreatePollStreamAsync();

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, $"ssf/streams?stream_id={id}", null),
                     (HttpMethod.Patch, "ssf/streams", new { stream_id = id, description = "mine now" }),
                     (HttpMethod.Delete, $"ssf/streams?stream_id={id}", null),
                     (HttpMethod.Get, $"ssf/streams/status?stream_id={id}", null),
                     (HttpMethod.Post, "ssf/verify", new { stream_id = id }),
                     (HttpMethod.Post, $"ssf/poll/{id}", new { returnImmediately = true }),
                 })
        {
            var (status, json) = await other.SendAsync(method, path, body);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.StartsWith("TSR8004", json!["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var (_, list) = await other.SendAsync(HttpMethod.Get, "ssf/streams");
        Assert.Empty(list!.AsArray());
        var (ownerRead, _) = await owner.SendAsync(HttpMethod.Get, $"ssf/streams?stream_id={id}");
        Assert.Equal(HttpStatusCode.OK, ownerRead);
    }

    [Theory]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"http://api.example.com/caep"}}""", "TSR8007")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"ftp://127.0.0.1/caep"}}""", "TSR8007")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://user:pw@api.example.com/caep"}}""", "TSR8007")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935"}}""", "TSR8007")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://169.254.169.254/latest/meta-data"}}""", "TSR8025")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://[fd00:ec2::254]/latest"}}""", "TSR8025")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://0.0.0.0/caep"}}""", "TSR8025")]
    [InlineData("""{"delivery":{"method":"urn:example:carrier-pigeon"}}""", "TSR8006")]
    [InlineData("""{"delivery":"push"}""", "TSR8005")]
    [InlineData("""{"description":"no delivery"}""", "TSR8005")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8936"},"events_requested":["urn:example:nothing"]}""", "TSR8008")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://a.example/x","authorization_header":"Bearer a\r\nX-Evil: 1"}}""", "TSR8005")]
    [InlineData("""[1,2]""", null)]
    [InlineData("""{"delivery":""", null)]
    public async Task CreateStream_BadBody_Is400AndCreatesNothing(string body, string? code)
    {
        using var receiver = await SignalReceiverClient.RegisterAsync(server);
        var (status, json) = await receiver.SendAsync(HttpMethod.Post, "ssf/streams", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(json!["error"]);
        if (code is not null)
        {
            Assert.StartsWith(code, json["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var (_, list) = await receiver.SendAsync(HttpMethod.Get, "ssf/streams");
        Assert.Empty(list!.AsArray());
    }

    [Theory]
    [InlineData("http://localhost:9/caep")]
    [InlineData("http://127.0.0.1:9/caep")]
    [InlineData("http://[::1]:9/caep")]
    [InlineData("https://api.example.com/caep")]
    [InlineData("https://10.0.0.12/caep")]
    public async Task CreateStream_HttpsOrLoopbackHttp_IsAccepted(string endpoint)
    {
        using var receiver = await SignalReceiverClient.RegisterAsync(server);
        await receiver.CreatePushStreamAsync(endpoint);
    }

    [Fact]
    public async Task StreamEndpoints_WithoutAToken_Are401WithBearerChallenge()
    {
        using var http = server.CreateHttpClient();
        using var response = await http.GetAsync($"/{server.TenantId:D}/ssf/streams");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("TSR8000", json["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamEndpoints_WithAnAdminApiToken_Are401()
    {
        // A valid token of this tenant for another API (the admin API) is not a receiver's token.
        var app = await server.Directory.RegisterAsync(new Tessera.Server.Directory.NewApplication("not a receiver"));
        var secret = await server.Directory.AddSecretAsync(app.AppId);
        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "client_credentials"), ("client_id", app.AppId.ToString()), ("client_secret", secret), ("scope", "api://tessera-admin/.default"));
        token.AssertSuccess();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{server.TenantId:D}/ssf/streams");
        request.Headers.Authorization = new("Bearer", token.AccessToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PollStream_EndpointIsTheTransmitters()
    {
        using var receiver = await SignalReceiverClient.RegisterAsync(server);
        var id = await receiver.CreatePollStreamAsync();
        var (_, stream) = await receiver.SendAsync(HttpMethod.Get, $"ssf/streams?stream_id={id}");
        Assert.Equal($"{server.TenantBase}/ssf/poll/{id}", stream!["delivery"]!["endpoint_url"]!.GetValue<string>());
    }
}
