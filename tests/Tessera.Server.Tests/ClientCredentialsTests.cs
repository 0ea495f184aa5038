using System.Net;
using System.Text.Json;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class ClientCredentialsTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task Bootstrap_ClientCredentials_IssuesEs256AccessTokenWithEntraClaims()
    {
        using var http = server.CreateHttpClient();
        var bootstrap = server.Bootstrap;
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "client_credentials"), ("client_id", bootstrap.ClientId), ("client_secret", bootstrap.ClientSecret), ("scope", bootstrap.AdminScope));
        response.AssertSuccess();
        Assert.Equal("Bearer", response.Json.GetProperty("token_type").GetString());
        Assert.Null(response.RefreshToken);

        var token = response.Access;
        Assert.Equal("ES256", token.Alg);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(server.Authority, token.Issuer);
        Assert.Equal(server.TenantId.ToString("D"), token.GetClaim("tid").Value);
        Assert.Equal(bootstrap.ClientId, token.GetClaim("azp").Value);
        Assert.Equal("1", token.GetClaim("azpacr").Value);
        Assert.Equal("2.0", token.GetClaim("ver").Value);
        Assert.Equal("app", token.GetClaim("idtyp").Value);
        Assert.Equal(bootstrap.ClientId, token.GetClaim("oid").Value);
        Assert.False(token.TryGetClaim("scp", out _));
        Assert.False(token.TryGetClaim("oi_tkn_id", out _));

        var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement;
        Assert.Equal(JsonValueKind.Array, payload.GetProperty("roles").ValueKind);
        Assert.Contains("Directory.ReadWrite.All", payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        var lifetime = token.ValidTo - token.IssuedAt;
        Assert.InRange(lifetime, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(90));

        var validation = await TokenValidation.ValidateAsync(server, response.AccessToken, token.Audiences.Single());
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task ClientCredentials_AccessTokens_AreNotStored()
    {
        using var http = server.CreateHttpClient();
        var before = await server.Directory.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>()));
        for (var i = 0; i < 3; i++)
        {
            (await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", server.Bootstrap.ClientId),
                ("client_secret", server.Bootstrap.ClientSecret), ("scope", server.Bootstrap.AdminScope))).AssertSuccess();
        }

        var after = await server.Directory.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>()));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task ClientCredentials_SecretInBasicHeader_Works()
    {
        using var http = server.CreateHttpClient();
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(server.Bootstrap.ClientId)}:{Uri.EscapeDataString(server.Bootstrap.ClientSecret)}"));
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", basic);
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("scope", server.Bootstrap.AdminScope));
        response.AssertSuccess();
    }

    [Fact]
    public async Task ClientCredentials_TenantByDomainName_IssuesTokenWithTenantIdIssuer()
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, $"{server.Origin}/{server.Bootstrap.Domain}/oauth2/v2.0/token",
            ("grant_type", "client_credentials"), ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", server.Bootstrap.AdminScope));
        response.AssertSuccess();
        Assert.Equal(server.Authority, response.Access.Issuer);
    }

    [Fact]
    public async Task ClientCredentials_ApiWithAppRole_TokenCarriesOnlyAssignedRoleAndOneAudience()
    {
        var api = await server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..6]);
        var daemon = await server.Directory.RegisterAsync(new NewApplication("daemon"));
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using var http = server.CreateHttpClient();

        var before = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", daemon.AppId.ToString()),
            ("client_secret", secret), ("scope", api.IdentifierUris[0] + "/.default"));
        before.AssertSuccess();
        Assert.False(before.Access.TryGetClaim("roles", out _));

        await server.Directory.AssignAsync(daemon.AppId, "ServicePrincipal", api.AppId, "Orders.Read.All");
        var after = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", daemon.AppId.ToString()),
            ("client_secret", secret), ("scope", api.AppId + "/.default"));
        after.AssertSuccess();
        Assert.Equal(api.AppId.ToString("D"), after.Access.Audiences.Single());
        Assert.Equal(["Orders.Read.All"], after.Access.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
    }

    [Theory]
    [InlineData("api://tessera-admin/.default api://other/.default", "invalid_scope", "TSR2010")]
    [InlineData("api://tessera-admin/Directory.Read.All", "invalid_scope", "TSR2012")]
    [InlineData("openid api://tessera-admin/.default", "invalid_scope", "TSR2012")]
    [InlineData("api://nothing-here/.default", "invalid_scope", "TSR2009")]
    [InlineData("User.Read", "invalid_scope", "TSR2009")]
    public async Task ClientCredentials_BadScope_InvalidScopeWithReason(string scope, string error, string code)
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", scope));
        response.AssertError(error, code);
    }

    [Fact]
    public async Task ClientCredentials_WrongSecret_InvalidClient()
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret + "x"), ("scope", server.Bootstrap.AdminScope));
        response.AssertError("invalid_client");
    }

    [Fact]
    public async Task ClientCredentials_ExpiredSecret_InvalidClient()
    {
        var daemon = await server.Directory.RegisterAsync(new NewApplication("expiring daemon"));
        var secret = await server.Directory.AddSecretAsync(daemon.AppId, TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", daemon.AppId.ToString()), ("client_secret", secret), ("scope", server.Bootstrap.AdminScope));
        response.AssertError("invalid_client");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task ClientCredentials_UnknownClient_InvalidClient(string clientId)
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", clientId), ("client_secret", "whatever"), ("scope", server.Bootstrap.AdminScope));
        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized);
        Assert.Contains(response.Error, new[] { "invalid_client", "invalid_request" });
    }

    [Fact]
    public async Task ClientCredentials_NoClientAuthentication_InvalidRequestNamingTheMissingCredential()
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("scope", server.Bootstrap.AdminScope));
        response.AssertError("invalid_request");
        Assert.Contains("client_secret", response.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordGrant_Always_UnsupportedGrantTypeWithReason()
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "password"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("username", "a"), ("password", "b"));
        response.AssertError("unsupported_grant_type", "TSR2002");
    }
}
