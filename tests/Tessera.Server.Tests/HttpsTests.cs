using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>The server on HTTPS: discovery names https endpoints, and a client credentials token is issued over TLS.</summary>
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
}
