using System.Net;
using System.Text.Json;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class TenantTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task Discovery_TwoTenants_EachHasItsOwnIssuerAndEndpoints()
    {
        var other = await server.Directory.CreateTenantAsync("contoso-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        using var http = server.CreateHttpClient();

        var first = JsonDocument.Parse(await http.GetStringAsync($"{server.TenantBase}/v2.0/.well-known/openid-configuration")).RootElement;
        var second = JsonDocument.Parse(await http.GetStringAsync($"{server.Origin}/{other.TenantId:D}/v2.0/.well-known/openid-configuration")).RootElement;

        Assert.Equal(server.Authority, first.GetProperty("issuer").GetString());
        Assert.Equal($"{server.Origin}/{other.TenantId:D}/v2.0", second.GetProperty("issuer").GetString());
        Assert.Equal($"{server.Origin}/{other.TenantId:D}/oauth2/v2.0/token", second.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{server.Origin}/{other.TenantId:D}/discovery/v2.0/keys", second.GetProperty("jwks_uri").GetString());
    }

    [Fact]
    public async Task Discovery_ByDomainName_IssuerStillUsesTenantId()
    {
        using var http = server.CreateHttpClient();
        var byDomain = JsonDocument.Parse(await http.GetStringAsync($"{server.Origin}/{server.Bootstrap.Domain}/v2.0/.well-known/openid-configuration")).RootElement;
        Assert.Equal(server.Authority, byDomain.GetProperty("issuer").GetString());
    }

    [Fact]
    public async Task Token_ClientOfAnotherTenant_InvalidClient()
    {
        var other = await server.Directory.CreateTenantAsync("fabrikam-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var daemon = await other.RegisterAsync(new NewApplication("fabrikam daemon"));
        var secret = await other.AddSecretAsync(daemon.AppId);
        using var http = server.CreateHttpClient();

        var wrongTenant = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", server.Bootstrap.AdminScope));
        wrongTenant.AssertError("invalid_client", "TSR2004");
    }

    [Fact]
    public async Task Token_IssuedInOneTenant_HasThatTenantsIssuerAndTid()
    {
        var other = await server.Directory.CreateTenantAsync("northwind-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        var api = await other.RegisterApiAsync("api://northwind-orders");
        var daemon = await other.RegisterAsync(new NewApplication("northwind daemon"));
        var secret = await other.AddSecretAsync(daemon.AppId);
        using var http = server.CreateHttpClient();

        var token = await TokenClient.PostAsync(http, $"{server.Origin}/{other.TenantId:D}/oauth2/v2.0/token", ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", "api://northwind-orders/.default"));
        token.AssertSuccess();
        Assert.Equal($"{server.Origin}/{other.TenantId:D}/v2.0", token.Access.Issuer);
        Assert.Equal(other.TenantId.ToString("D"), token.Access.GetClaim("tid").Value);
        Assert.Equal(api.AppId.ToString("D"), token.Access.Audiences.Single());
    }

    [Fact]
    public async Task Token_ApiOfAnotherTenant_IsNotFound()
    {
        var other = await server.Directory.CreateTenantAsync("woodgrove-" + Guid.NewGuid().ToString("N")[..6] + ".example");
        await other.RegisterApiAsync("api://woodgrove-only");
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", "api://woodgrove-only/.default"));
        response.AssertError("invalid_scope", "TSR2009");
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("nobody.example")]
    public async Task AnyEndpoint_UnknownTenant_400WithReason(string tenant)
    {
        using var http = server.CreateHttpClient();
        using var response = await http.GetAsync($"{server.Origin}/{tenant}/v2.0/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
        Assert.StartsWith("TSR2003", json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.True(json.TryGetProperty("trace_id", out _));
    }
}
