using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The server on HTTPS: discovery names https endpoints, a client credentials token is issued over TLS, and browsers are
/// told to stay on HTTPS (HSTS).
/// </summary>
public sealed class HttpsTests(HttpsServerFixture server) : IClassFixture<HttpsServerFixture>
{
    [Fact]
    public async Task Discovery_OverHttps_AllEndpointsAreHttps()
    {
        Assert.StartsWith("https://127.0.0.1:", server.Origin, StringComparison.Ordinal);
        using var http = server.CreateHttpClient();

        using var response = await http.GetAsync($"{server.Authority}/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(server.Authority, document.RootElement.GetProperty("issuer").GetString());
        foreach (var name in new[] { "authorization_endpoint", "token_endpoint", "jwks_uri" })
        {
            Assert.StartsWith("https://", document.RootElement.GetProperty(name).GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClientCredentials_OverHttps_TokenIssued()
    {
        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "client_credentials"), ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret),
            ("scope", server.Bootstrap.AdminScope));

        token.AssertSuccess();
        Assert.Equal(server.Authority, token.Access.Issuer);
    }

    [Fact]
    public async Task AnyResponse_OverHttps_CarriesHsts()
    {
        using var http = server.CreateHttpClient();

        using var page = await http.GetAsync($"{server.TenantBase}/account/signin");
        using var discovery = await http.GetAsync($"{server.Authority}/.well-known/openid-configuration");

        Assert.Equal("max-age=31536000", page.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.Equal("max-age=31536000", discovery.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Localhost_OverHttps_NoHsts()
    {
        using var http = server.CreateHttpClient();

        using var response = await http.GetAsync($"{server.Authority.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
