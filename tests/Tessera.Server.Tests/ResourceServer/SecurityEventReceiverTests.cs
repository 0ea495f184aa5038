using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore;
using Tessera.AspNetCore.ContinuousAccess;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// The Continuous Access Evaluation receiver with security event tokens made here (signed with the server's own key,
/// or forged): a revocation refuses the subject's older tokens on the next request, cached or not, with a claims
/// challenge for clients that declared <c>cp1</c>; every malformed or forged SET is refused with RFC 8935's error,
/// logged, and changes nothing. The end-to-end path with the server's transmitter is in <c>ContinuousAccessTests</c>.
/// </summary>
public sealed class SecurityEventReceiverTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private const string PushPath = "/ssf/events";
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private Task<ProtectedApi> StartAsync(string? stateDirectory = null) => fixture.StartApiAsync(o =>
    {
        o.ContinuousAccess.Enabled = true;
        o.ContinuousAccess.ClientSecret = "not used by these tests";
        o.ContinuousAccess.PushEndpoint = "http://127.0.0.1:9" + PushPath;
        o.ContinuousAccess.StateDirectory = stateDirectory;
    });

    private Dictionary<string, object> Token(Guid oid, long issuedAt, bool cp1 = false)
    {
        var claims = fixture.Forge.AppClaims(fixture.ApiId, null, "Orders.Read.All");
        claims["oid"] = oid.ToString("D");
        claims["iat"] = issuedAt;
        claims["nbf"] = issuedAt;
        if (cp1)
        {
            claims["xms_cc"] = new[] { "cp1" };
        }

        return claims;
    }

    private Dictionary<string, object> Set(Guid oid, long eventTime, string type = SecurityEventTypes.SessionRevoked)
    {
        var issuer = fixture.Forge.IssuerOf(fixture.Server.TenantId);
        return new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["aud"] = fixture.ApiId.ToString("D"),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = Now,
            ["sub_id"] = new Dictionary<string, object> { ["format"] = "iss_sub", ["iss"] = issuer, ["sub"] = oid.ToString("D") },
            ["events"] = new Dictionary<string, object>
            {
                [type] = new Dictionary<string, object> { ["event_timestamp"] = eventTime, ["initiating_entity"] = "admin" },
            },
        };
    }

    private string Signed(Dictionary<string, object> claims) => SignedAs(claims, "secevent+jwt");

    private string SignedAs(Dictionary<string, object> claims, string type) => fixture.Forge.SignedByServer(claims, type);

    private string IssuerOf(Guid tenantId) => fixture.Forge.IssuerOf(tenantId);

    private static async Task<(HttpStatusCode Status, string? Err)> PushAsync(ProtectedApi api, string set, string? authorization = null, string contentType = "application/secevent+jwt")
    {
        var receiver = api.Services.GetServices<SharedSignalsReceiver>().Single();
        using var http = api.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, PushPath) { Content = new StringContent(set, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? receiver.PushAuthorization);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? null : JsonDocument.Parse(body).RootElement.GetProperty("err").GetString());
    }

    private static async Task<HttpResponseMessage> GetAsync(ProtectedApi api, string token) => await api.GetAsync("/me", token);

    [Theory]
    [InlineData(SecurityEventTypes.SessionRevoked)]
    [InlineData(SecurityEventTypes.CredentialChange)]
    [InlineData(SecurityEventTypes.TokenClaimsChange)]
    [InlineData(SecurityEventTypes.AssuranceLevelChange)]
    [InlineData(SecurityEventTypes.AccountDisabled)]
    [InlineData(SecurityEventTypes.AccountPurged)]
    public async Task RevokingEvent_CachedTokenOfSubject_RefusedNextRequest(string type)
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();
        var token = fixture.Forge.SignedByServer(Token(oid, Now - 60));
        var other = fixture.Forge.SignedByServer(Token(Guid.NewGuid(), Now - 60));
        using (var first = await GetAsync(api, token))
        using (var second = await GetAsync(api, token))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(1, api.Validations.Cached);

        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(Set(oid, Now - 10, type))));

        using var refused = await GetAsync(api, token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var challenge = refused.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("claims=", challenge, StringComparison.Ordinal);
        using (var again = await GetAsync(api, token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode); // verified in full this time: refused too
        }

        using (var unrelated = await GetAsync(api, other))
        {
            Assert.Equal(HttpStatusCode.OK, unrelated.StatusCode);
        }

        using (var newer = await GetAsync(api, fixture.Forge.SignedByServer(Token(oid, Now - 9))))
        {
            Assert.Equal(HttpStatusCode.OK, newer.StatusCode);
        }

        using (var sameSecond = await GetAsync(api, fixture.Forge.SignedByServer(Token(oid, Now - 10))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, sameSecond.StatusCode); // iat <= t: the safe side
        }

        Assert.Equal(3, api.Validations.Revoked);
        Assert.True(api.Logs.Contains("TSR6811"), api.Logs.Dump());
        Assert.True(api.Logs.Contains("TSR6807"), api.Logs.Dump());
    }

    [Theory]
    [InlineData("increase", HttpStatusCode.OK)]
    [InlineData("decrease", HttpStatusCode.Unauthorized)]
    public async Task AssuranceLevelChange_OnlyADecreaseRevokes(string direction, HttpStatusCode expected)
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();
        var token = fixture.Forge.SignedByServer(Token(oid, Now - 60));
        var set = Set(oid, Now - 10, SecurityEventTypes.AssuranceLevelChange);
        var payload = (Dictionary<string, object>)((Dictionary<string, object>)set["events"])[SecurityEventTypes.AssuranceLevelChange];
        payload["namespace"] = "NIST-AAL";
        payload["previous_level"] = direction == "increase" ? "nist-aal1" : "nist-aal3";
        payload["current_level"] = direction == "increase" ? "nist-aal3" : "nist-aal1";
        payload["change_direction"] = direction;

        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(set)));

        using var response = await GetAsync(api, token);
        Assert.Equal(expected, response.StatusCode);
        Assert.True(api.Logs.Contains(direction == "increase" ? "TSR6812" : "TSR6811"), api.Logs.Dump());
    }

    [Fact]
    public async Task ClientSubject_RefusesTheClientsDelegatedTokensOnly()
    {
        await using var api = await StartAsync();
        var client = Guid.NewGuid();
        var delegated = fixture.Forge.UserClaims(fixture.ApiId, "Orders.Read");
        delegated["azp"] = client.ToString("D");
        delegated["iat"] = Now - 60;
        var appOnly = Token(client, Now - 60); // the client's own app-only token: its oid is the client
        appOnly["azp"] = client.ToString("D");
        var otherClient = fixture.Forge.UserClaims(fixture.ApiId, "Orders.Read");
        otherClient["iat"] = Now - 60;
        var set = Set(Guid.Empty, Now - 10, SecurityEventTypes.TokenClaimsChange);
        set["sub_id"] = new Dictionary<string, object>
        {
            ["format"] = "complex",
            ["application"] = new Dictionary<string, object> { ["format"] = "opaque", ["id"] = client.ToString("D") },
        };

        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(set)));

        using (var refused = await GetAsync(api, fixture.Forge.SignedByServer(delegated)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        delegated["iat"] = Now - 9;
        foreach (var accepted in new[] { delegated, appOnly, otherClient })
        {
            using var response = await GetAsync(api, fixture.Forge.SignedByServer(accepted));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        set["jti"] = Guid.NewGuid().ToString("N");
        set["sub_id"] = new Dictionary<string, object> { ["format"] = "complex", ["user"] = new Dictionary<string, object> { ["format"] = "opaque", ["id"] = "x" } };
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), await PushAsync(api, Signed(set)));
    }

    [Fact]
    public async Task Revoked_CapableClient_GetsClaimsChallengeForNewerToken()
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();
        var token = fixture.Forge.SignedByServer(Token(oid, Now - 60, cp1: true));
        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(Set(oid, Now - 5, SecurityEventTypes.AccountDisabled))));

        using var refused = await GetAsync(api, token);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("realm=\"\", error=\"insufficient_claims\"", challenge.Parameter, StringComparison.Ordinal);
        var claims = challenge.Parameter!.Split("claims=\"")[1].TrimEnd('"');
        Assert.Equal("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + (Now - 4) + "\"}}}", Encoding.UTF8.GetString(Convert.FromBase64String(claims)));
    }

    [Fact]
    public async Task OlderEvent_AfterNewer_DoesNotLowerTheRevocation()
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();
        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(Set(oid, Now - 5))));
        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(Set(oid, Now - 50))));

        using var refused = await GetAsync(api, fixture.Forge.SignedByServer(Token(oid, Now - 20)));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData(SecurityEventTypes.Verification)]
    [InlineData("https://schemas.openid.net/secevent/caep/event-type/device-compliance-change")]
    public async Task EventWithoutEffect_Acknowledged_TokensStillAccepted(string type)
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();

        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(Set(oid, Now))));
        var unknown = Set(oid, Now, type);
        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(unknown)));

        using var response = await GetAsync(api, fixture.Forge.SignedByServer(Token(Guid.NewGuid(), Now - 60)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(api.Logs.Contains("TSR6812"), api.Logs.Dump());
    }

    public static TheoryData<string, string, Func<SecurityEventReceiverTests, Dictionary<string, object>, string>> ForgedSets => new()
    {
        { "bad signature", "invalid_key", (_, c) => TokenForge.SignedByAttacker(c, type: "secevent+jwt") },
        { "server's kid, attacker's key", "invalid_key", (t, c) => TokenForge.SignedByAttacker(c, keyId: t.ServerKeyId(), type: "secevent+jwt") },
        { "alg none", "invalid_key", (_, c) => TokenForge.WithoutSignature(c, type: "secevent+jwt") },
        { "wrong typ", "invalid_request", (t, c) => t.SignedAs(c, "at+jwt") },
        { "no typ", "invalid_request", (t, c) => t.SignedAs(c, "JWT") },
        { "wrong issuer", "invalid_issuer", (t, c) => t.Signed(With(c, "iss", t.IssuerOf(Guid.NewGuid()))) },
        { "wrong audience", "invalid_audience", (t, c) => t.Signed(With(c, "aud", Guid.NewGuid().ToString("D"))) },
        { "iat in the future", "invalid_request", (t, c) => t.Signed(With(c, "iat", Now + 600)) },
        { "iat older than any token", "invalid_request", (t, c) => t.Signed(With(c, "iat", Now - (29 * 3600))) },
        { "no iat", "invalid_request", (t, c) => t.Signed(Without(c, "iat")) },
        { "expired", "invalid_request", (t, c) => t.Signed(With(c, "exp", Now - 600)) },
        { "no jti", "invalid_request", (t, c) => t.Signed(Without(c, "jti")) },
        { "two events", "invalid_request", (t, c) => t.Signed(With(c, "events", new Dictionary<string, object>
            {
                [SecurityEventTypes.SessionRevoked] = new Dictionary<string, object> { ["event_timestamp"] = Now },
                [SecurityEventTypes.AccountDisabled] = new Dictionary<string, object> { ["event_timestamp"] = Now },
            })) },
        { "no subject", "invalid_request", (t, c) => t.Signed(Without(c, "sub_id")) },
        { "subject of another issuer", "invalid_request", (t, c) => t.Signed(With(c, "sub_id", new Dictionary<string, object>
            { ["format"] = "iss_sub", ["iss"] = "https://elsewhere.example/v2.0", ["sub"] = ((Dictionary<string, object>)c["sub_id"])["sub"] })) },
        { "no event_timestamp", "invalid_request", (t, c) => t.Signed(With(c, "events", new Dictionary<string, object>
            { [SecurityEventTypes.SessionRevoked] = new Dictionary<string, object> { ["initiating_entity"] = "admin" } })) },
        { "not a JWT", "invalid_request", (_, _) => "not-a-jwt" },
    };

    [Theory]
    [MemberData(nameof(ForgedSets))]
    public async Task ForgedOrMalformedSet_Refused_Logged_NoEffect(string name, string err, Func<SecurityEventReceiverTests, Dictionary<string, object>, string> make)
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();
        var token = fixture.Forge.SignedByServer(Token(oid, Now - 60));

        var (status, error) = await PushAsync(api, make(this, Set(oid, Now)));

        Assert.True(status == HttpStatusCode.BadRequest, name);
        Assert.Equal(err, error);
        Assert.True(api.Logs.Contains("TSR6810"), api.Logs.Dump());
        using var response = await GetAsync(api, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReplayedJti_Refused()
    {
        await using var api = await StartAsync();
        var set = Signed(Set(Guid.NewGuid(), Now));

        Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, set));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), await PushAsync(api, set));
        Assert.True(api.Logs.Contains("TSR2827"), api.Logs.Dump());
    }

    [Theory]
    [InlineData(null, "application/secevent+jwt", "authentication_failed")]
    [InlineData("Bearer not-the-stream-header", "application/secevent+jwt", "authentication_failed")]
    [InlineData("", "application/json", "invalid_request")]
    public async Task Push_WrongHeaders_Refused_NoEffect(string? authorization, string contentType, string err)
    {
        await using var api = await StartAsync();
        var oid = Guid.NewGuid();
        var receiver = api.Services.GetServices<SharedSignalsReceiver>().Single();

        var (status, error) = await PushAsync(api, Signed(Set(oid, Now)), authorization == string.Empty ? receiver.PushAuthorization : authorization ?? "Basic eDp5", contentType);

        Assert.Equal((HttpStatusCode.BadRequest, err), (status, error));
        using var response = await GetAsync(api, fixture.Forge.SignedByServer(Token(oid, Now - 60)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Push_BodyLargerThanAnySet_Refused()
    {
        await using var api = await StartAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), await PushAsync(api, new string('a', SecurityEventValidator.MaximumLength + 1)));
    }

    [Fact]
    public async Task Restart_WithStateDirectory_KeepsRefusing()
    {
        var state = Path.Combine(Path.GetTempPath(), "tessera-tests", "cae-" + Guid.NewGuid().ToString("N"));
        var oid = Guid.NewGuid();
        var token = fixture.Forge.SignedByServer(Token(oid, Now - 60));
        var client = Guid.NewGuid();
        var delegated = fixture.Forge.UserClaims(fixture.ApiId, "Orders.Read");
        delegated["azp"] = client.ToString("D");
        delegated["iat"] = Now - 60;
        var clientSet = Set(Guid.Empty, Now - 5, SecurityEventTypes.TokenClaimsChange);
        clientSet["sub_id"] = new Dictionary<string, object>
        {
            ["format"] = "complex",
            ["application"] = new Dictionary<string, object> { ["format"] = "opaque", ["id"] = client.ToString("D") },
        };
        await using (var api = await StartAsync(state))
        {
            Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(Set(oid, Now - 5))));
            Assert.Equal((HttpStatusCode.Accepted, null), await PushAsync(api, Signed(clientSet)));
        }

        await using var restarted = await StartAsync(state);
        using var response = await GetAsync(restarted, token);
        using var clientsToken = await GetAsync(restarted, fixture.Forge.SignedByServer(delegated));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, clientsToken.StatusCode); // a client's revocation is kept as such
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "revocations.log")));
        }
    }

    [Fact]
    public async Task Disabled_NoPushEndpoint()
    {
        await using var api = await fixture.StartApiAsync();
        using var http = api.Client();
        using var response = await http.PostAsync(PushPath, new StringContent("x"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private string ServerKeyId()
        => fixture.Server.App.Web.Services.GetRequiredService<Tessera.Server.Keys.SigningKeyRing>().Active.Key.KeyId;

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value)
    {
        claims[name] = value;
        return claims;
    }

    private static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
    {
        claims.Remove(name);
        return claims;
    }
}
