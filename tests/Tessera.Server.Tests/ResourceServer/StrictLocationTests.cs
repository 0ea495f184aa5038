using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Policy.Admin;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// Conditional Access strict location enforcement end to end: a policy in <c>strictEnforcement</c> mode that leaves out
/// a named location binds the tokens issued there to its ranges (<c>xms_tessera_ipr</c>), and an API protected by the
/// SDK refuses such a token from another address. The API sees that address the way ASP.NET Core does: the connection's,
/// or the client's from <c>X-Forwarded-For</c> when the application applies forwarded headers (as behind a proxy).
/// </summary>
public sealed class StrictLocationTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private const string Outside = "192.0.2.10";

    [Fact]
    public async Task StrictPolicy_TokenIssuedOnLoopback_AcceptedThereRefusedFromAnotherAddress()
    {
        var user = await fixture.Server.Directory.CreateUserAsync();
        var loopback = await LocationAsync("127.0.0.0/8");
        var policy = await StrictPolicyAsync(user.Id, loopback);
        var capable = await TokenAsync(user.UserName!, cp1: true);
        var plain = await TokenAsync(user.UserName!, cp1: false);
        Assert.Equal(["127.0.0.0/8"], Ranges(capable));

        // Without forwarded headers the API sees the connection's address (127.0.0.1) and ignores X-Forwarded-For.
        await using (var direct = await fixture.StartApiAsync())
        {
            using var accepted = await SendAsync(direct, capable, forwardedFor: Outside);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await using var proxied = await fixture.StartApiAsync(middleware: app => app.UseForwardedHeaders(
            new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor }));
        using (var inside = await SendAsync(proxied, capable, forwardedFor: "127.0.0.9"))
        {
            Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        }

        using (var refused = await SendAsync(proxied, capable, forwardedFor: Outside))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = refused.Headers.WwwAuthenticate.ToString();
            Assert.Contains("error=\"insufficient_claims\"", challenge, StringComparison.Ordinal);
            var claims = Encoding.UTF8.GetString(Convert.FromBase64String(challenge.Split("claims=\"")[1].Split('"')[0]));
            Assert.StartsWith("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"", claims, StringComparison.Ordinal);
        }

        using (var refused = await SendAsync(proxied, plain, forwardedFor: Outside))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = refused.Headers.WwwAuthenticate.ToString();
            Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
            Assert.DoesNotContain("claims=", challenge, StringComparison.Ordinal);
        }

        Assert.True(proxied.Logs.Contains("TSR8024"), proxied.Logs.Dump());

        // "What if" from elsewhere: the policy blocks; from the office: it stays out and binds the token.
        using var admin = await AdminClient.WithPermissionsAsync(fixture.Server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var (_, fromOffice) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/evaluate",
            new { userId = user.Id, applicationId = fixture.ApiId, ipAddress = "127.0.0.1" });
        var entry = fromOffice!["policies"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == policy)!;
        Assert.Equal(["continuousAccessEvaluation"], entry["enforcedSessionControls"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("granted", fromOffice["outcome"]!.GetValue<string>());
        var (_, fromElsewhere) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/evaluate",
            new { userId = user.Id, applicationId = fixture.ApiId, ipAddress = Outside });
        Assert.Equal("blocked", fromElsewhere!["outcome"]!.GetValue<string>());

        // The sign-in log shows the control on the sign-ins it bound.
        await fixture.Server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        using var reader = await AdminClient.WithPermissionsAsync(fixture.Server, AdminPermissions.AuditLogReadAll);
        var (_, signIns) = await reader.JsonAsync(HttpMethod.Get, $"auditLogs/signIns?$filter={Uri.EscapeDataString($"userId eq '{user.Id}'")}");
        Assert.True(signIns!["value"]!.AsArray().Any(e => e!["appliedConditionalAccessPolicies"]!.AsArray().Any(p =>
            p!["id"]!.GetValue<string>() == policy && p["enforcedSessionControls"]!.AsArray().Any(c => c!.GetValue<string>() == "continuousAccessEvaluation"))), signIns.ToJsonString());
    }

    [Fact]
    public async Task StrictPolicy_AllowingOnlyAnotherRange_BlockedAtIssuance()
    {
        var user = await fixture.Server.Directory.CreateUserAsync();
        await StrictPolicyAsync(user.Id, await LocationAsync("10.20.0.0/16"));
        var client = await CodeFlowClient.RegisterAsync(fixture.Server);
        using var browser = new UserAgent(fixture.Server);

        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {fixture.Identifier}/Orders.Read"), user.UserName);

        Assert.Equal("access_denied", outcome.Query["error"]);
    }

    [Theory]
    [InlineData("""{ "mode": "strictLocation" }""", "TSR8022")]
    [InlineData("""{ "mode": 3 }""", "TSR4")]
    [InlineData("""{ "mode": "strictEnforcement", "other": true }""", "TSR4")]
    [InlineData("\"strictEnforcement\"", "TSR4")]
    public async Task StrictPolicy_BadControl_Is400(string control, string code)
    {
        var user = await fixture.Server.Directory.CreateUserAsync();
        var (status, body) = await CreatePolicyAsync(user.Id, await LocationAsync("127.0.0.0/8"), control);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(code, body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrictPolicy_WithoutExcludedLocations_Is400AndDisabledModeIsKept()
    {
        var user = await fixture.Server.Directory.CreateUserAsync();
        using var admin = await AdminClient.WithPermissionsAsync(fixture.Server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var (status, body) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/policies", JsonNode.Parse($$"""
            { "displayName": "strict, no locations", "state": "enabled",
              "conditions": { "users": { "includeUsers": ["{{user.Id}}"] }, "applications": { "includeApplications": ["All"] } },
              "grantControls": { "operator": "OR", "builtInControls": ["mfa"] },
              "sessionControls": { "continuousAccessEvaluation": { "mode": "strictEnforcement" } } }
            """)!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("TSR8023", body!.ToJsonString(), StringComparison.Ordinal);

        var (created, policy) = await CreatePolicyAsync(user.Id, await LocationAsync("127.0.0.0/8"), """{ "mode": "disabled" }""");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("disabled", policy!["sessionControls"]!["continuousAccessEvaluation"]!["mode"]!.GetValue<string>());
    }

    private static string[] Ranges(string token)
        => new JsonWebToken(token).TryGetPayloadValue<string[]>("xms_tessera_ipr", out var ranges) ? ranges : [];

    private static async Task<HttpResponseMessage> SendAsync(ProtectedApi api, string token, string forwardedFor)
    {
        using var http = api.Client(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await http.SendAsync(request);
    }

    private async Task<string> TokenAsync(string userName, bool cp1)
    {
        var (code, pkce, browser) = await fixture.WebClient.SignInAsync(userName, $"openid {fixture.Identifier}/Orders.Read");
        browser.Dispose();
        using var http = fixture.Server.CreateHttpClient();
        (string, string)[] fields = [("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.Verifier), ("redirect_uri", fixture.WebClient.Redirect)];
        if (cp1)
        {
            fields = [.. fields, ("claims", """{"access_token":{"xms_cc":{"values":["cp1"]}}}""")];
        }

        var tokens = await TokenClient.PostAsync(http, fixture.Server.TokenEndpoint, fixture.WebClient.WithAuthentication(fields));
        tokens.AssertSuccess();
        return tokens.AccessToken;
    }

    private async Task<string> StrictPolicyAsync(Guid userId, string location)
    {
        var (status, created) = await CreatePolicyAsync(userId, location, """{ "mode": "strictEnforcement" }""");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!["id"]!.GetValue<string>();
    }

    /// <summary>Blocks <paramref name="userId"/> everywhere but <paramref name="location"/>, with the given CAE session control.</summary>
    private async Task<(HttpStatusCode Status, JsonNode? Body)> CreatePolicyAsync(Guid userId, string location, string control)
    {
        using var admin = await AdminClient.WithPermissionsAsync(fixture.Server, AdminPermissions.PolicyReadWriteConditionalAccess);
        return await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/policies", JsonNode.Parse($$"""
            { "displayName": "Only from {{location}}", "state": "enabled",
              "conditions": {
                "users": { "includeUsers": ["{{userId}}"] }, "applications": { "includeApplications": ["All"] },
                "locations": { "includeLocations": ["All"], "excludeLocations": ["{{location}}"] } },
              "grantControls": { "operator": "OR", "builtInControls": ["block"] },
              "sessionControls": { "continuousAccessEvaluation": {{control}} } }
            """)!.ToJsonString());
    }

    private async Task<string> LocationAsync(string cidr)
    {
        using var admin = await AdminClient.WithPermissionsAsync(fixture.Server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/namedLocations", JsonNode.Parse($$"""
            {"@odata.type":"#microsoft.graph.ipNamedLocation","displayName":"Office {{Guid.NewGuid().ToString("N")[..6]}}","isTrusted":false,
             "ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"{{cidr}}"}]}
            """)!.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        return created!["id"]!.GetValue<string>();
    }
}
