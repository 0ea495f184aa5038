using System.Net;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// CORS on the protocol endpoints a single-page app calls from the browser: allowed for the origins of redirect URIs
/// registered on the SPA platform (the token endpoint: of the requesting client), for nobody else, never with
/// credentials, and never on the sign-in pages.
/// </summary>
public sealed class SinglePageAppCorsTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string SpaOrigin = "https://spa.cors.example";
    private const string OtherSpaOrigin = "https://other-spa.cors.example";
    private const string WebOrigin = "https://web.cors.example";

    private string Path(string endpoint) => endpoint switch
    {
        "token" => $"/{server.TenantId:D}/oauth2/v2.0/token",
        "revoke" => $"/{server.TenantId:D}/oauth2/v2.0/revoke",
        "discovery" => $"/{server.TenantId:D}/v2.0/.well-known/openid-configuration",
        "keys" => $"/{server.TenantId:D}/discovery/v2.0/keys",
        "userinfo" => $"/{server.TenantId:D}/oidc/userinfo",
        "authorize" => $"/{server.TenantId:D}/oauth2/v2.0/authorize",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    [Theory]
    [InlineData("token", "POST")]
    [InlineData("revoke", "POST")]
    [InlineData("discovery", "GET")]
    [InlineData("keys", "GET")]
    [InlineData("userinfo", "GET")]
    public async Task Preflight_FromRegisteredSpaOrigin_Allowed(string endpoint, string method)
    {
        await RegisterSpaAsync(SpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(Preflight(Path(endpoint), SpaOrigin, method, "authorization"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(SpaOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("Authorization", Header(response, "Access-Control-Allow-Headers"), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Theory]
    [InlineData("https://unknown.cors.example")]
    [InlineData(WebOrigin)]
    [InlineData("null")]
    public async Task Preflight_FromOriginOfNoSpa_Refused(string origin)
    {
        await RegisterSpaAsync(SpaOrigin + "/callback");
        await RegisterWebAppAsync(WebOrigin + "/signin-oidc");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(Preflight(Path("token"), origin, "POST"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_MethodTheEndpointDoesNotTake_Refused()
    {
        await RegisterSpaAsync(SpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(Preflight(Path("token"), SpaOrigin, "DELETE"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TokenRequest_FromTheClientsSpaOrigin_ErrorReadableByThePage()
    {
        var spa = await RegisterSpaAsync(SpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(TokenRequest(SpaOrigin, spa));

        // A made-up code: the error must still reach the page, or oidc-client-ts reports a network error instead.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_grant", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(SpaOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task TokenRequest_FromAnotherSpasOrigin_NotReadable()
    {
        var spa = await RegisterSpaAsync(SpaOrigin + "/callback");
        await RegisterSpaAsync(OtherSpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(TokenRequest(OtherSpaOrigin, spa));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TokenRequest_WebClientFromItsOwnOrigin_NotReadable()
    {
        var web = await RegisterWebAppAsync(WebOrigin + "/signin-oidc");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(TokenRequest(WebOrigin, web));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TokenRequest_WithoutOrigin_NoCorsHeaders()
    {
        var spa = await RegisterSpaAsync(SpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(TokenRequest(origin: null, spa));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("discovery")]
    [InlineData("keys")]
    public async Task Metadata_FromRegisteredSpaOrigin_Readable(string endpoint)
    {
        await RegisterSpaAsync(SpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var allowed = await http.SendAsync(Get(Path(endpoint), SpaOrigin));
        using var refused = await http.SendAsync(Get(Path(endpoint), "https://unknown.cors.example"));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(SpaOrigin, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task SpaRedirectUri_WithDefaultPortAndUpperCaseHost_MatchesTheBrowsersOrigin()
    {
        await RegisterSpaAsync("https://Upper.CORS.example:443/app/");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(Preflight(Path("token"), "https://upper.cors.example", "POST"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task AuthorizePage_FromSpaOrigin_NoCorsHeaders()
    {
        var spa = await RegisterSpaAsync(SpaOrigin + "/callback");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(Get($"{Path("authorize")}?client_id={spa}&response_type=code", SpaOrigin));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }

        return request;
    }

    private static HttpRequestMessage Get(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", origin);
        return request;
    }

    private HttpRequestMessage TokenRequest(string? origin, string clientId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path("token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = clientId,
                ["code"] = "not-a-code",
                ["code_verifier"] = new string('a', 43),
                ["redirect_uri"] = (origin ?? SpaOrigin) + "/callback",
            }),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    private static string Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : string.Empty;

    /// <summary>A single-page app registered as people do, through the admin API; returns its client id.</summary>
    private Task<string> RegisterSpaAsync(string redirectUri)
        => RegisterThroughAdminApiAsync(new { displayName = "spa " + Guid.NewGuid().ToString("N")[..6], spa = new { redirectUris = new[] { redirectUri } } });

    private Task<string> RegisterWebAppAsync(string redirectUri)
        => RegisterThroughAdminApiAsync(new { displayName = "web " + Guid.NewGuid().ToString("N")[..6], web = new { redirectUris = new[] { redirectUri } } });

    private async Task<string> RegisterThroughAdminApiAsync(object body)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "applications", body);
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!["appId"]!.GetValue<string>();
    }
}
