using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class RefreshTokenTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private async Task<(CodeFlowClient Client, TokenResponse Tokens, Guid UserId)> SignedInAsync(string scope = "openid profile offline_access")
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!, scope);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return (client, tokens, user.Id);
    }

    [Fact]
    public async Task Refresh_Always_RotatesTheRefreshToken()
    {
        var (client, tokens, _) = await SignedInAsync();
        using var http = server.CreateHttpClient();
        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);
        refreshed.AssertSuccess();
        Assert.NotNull(refreshed.RefreshToken);
        Assert.NotEqual(tokens.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(tokens.AccessToken, refreshed.AccessToken);
    }

    [Fact]
    public async Task Refresh_RotatedTokenReused_RevokesTheWholeFamily()
    {
        var (client, tokens, _) = await SignedInAsync();
        using var http = server.CreateHttpClient();
        var second = await client.RefreshAsync(http, tokens.RefreshToken!);
        second.AssertSuccess();

        var replay = await client.RefreshAsync(http, tokens.RefreshToken!);
        replay.AssertError("invalid_grant");

        // The legitimate holder's newer token died with the family.
        var afterReplay = await client.RefreshAsync(http, second.RefreshToken!);
        afterReplay.AssertError("invalid_grant");
    }

    [Fact]
    public async Task Refresh_UserDisabled_InvalidGrantWithReason()
    {
        var (client, tokens, userId) = await SignedInAsync();
        await server.Directory.SetUserEnabledAsync(userId, enabled: false);
        using var http = server.CreateHttpClient();
        var refreshed = await client.RefreshAsync(http, tokens.RefreshToken!);
        refreshed.AssertError("invalid_grant", "TSR2018");
    }

    [Fact]
    public async Task Refresh_NarrowerScope_TokenCarriesOnlyThatScope()
    {
        var api = await server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..6]);
        var (client, tokens, _) = await SignedInAsync($"openid offline_access {api.IdentifierUris[0]}/Orders.Read {api.IdentifierUris[0]}/Orders.ReadWrite");
        Assert.Equal("Orders.Read Orders.ReadWrite", tokens.Access.GetClaim("scp").Value);
        using var http = server.CreateHttpClient();
        var narrower = await client.RefreshAsync(http, tokens.RefreshToken!, $"{api.IdentifierUris[0]}/Orders.Read");
        narrower.AssertSuccess();
        Assert.Equal("Orders.Read", narrower.Access.GetClaim("scp").Value);
    }

    [Fact]
    public async Task Refresh_WiderScope_Refused()
    {
        var api = await server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..6]);
        var (client, tokens, _) = await SignedInAsync($"openid offline_access {api.IdentifierUris[0]}/Orders.Read");
        using var http = server.CreateHttpClient();
        var wider = await client.RefreshAsync(http, tokens.RefreshToken!, $"{api.IdentifierUris[0]}/Orders.ReadWrite");
        Assert.Contains(wider.Error, new[] { "invalid_scope", "invalid_grant" });
    }

    [Fact]
    public async Task Refresh_ByAnotherClient_InvalidGrant()
    {
        var (_, tokens, _) = await SignedInAsync();
        var other = await CodeFlowClient.RegisterAsync(server);
        using var http = server.CreateHttpClient();
        (await other.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task Refresh_MalformedToken_InvalidGrantOrRequest(string refreshToken)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var http = server.CreateHttpClient();
        var response = await client.RefreshAsync(http, refreshToken);
        Assert.Contains(response.Error, new[] { "invalid_grant", "invalid_request" });
    }

    [Fact]
    public async Task Revocation_RefreshToken_StopsRefresh()
    {
        var (client, tokens, _) = await SignedInAsync();
        using var http = server.CreateHttpClient();
        using var content = new FormUrlEncodedContent(client.WithAuthentication(("token", tokens.RefreshToken!), ("token_type_hint", "refresh_token"))
            .Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        using var revoked = await http.PostAsync($"{server.TenantBase}/oauth2/v2.0/revoke", content);
        Assert.Equal(System.Net.HttpStatusCode.OK, revoked.StatusCode);
        (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant");
    }

    [Fact]
    public async Task Introspection_ConfidentialClient_SeesItsRefreshTokenActive()
    {
        var (client, tokens, _) = await SignedInAsync();
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/introspect",
            client.WithAuthentication(("token", tokens.RefreshToken!)));
        response.AssertSuccess();
        Assert.True(response.Json.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspection_PublicClient_Refused()
    {
        var client = await CodeFlowClient.RegisterAsync(server, confidential: false);
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, $"{server.TenantBase}/oauth2/v2.0/introspect", ("client_id", client.ClientId), ("token", "anything"));
        response.AssertError("invalid_client", "TSR2022");
    }

    [Fact]
    public async Task Refresh_ReplayInOneSignIn_LeavesTheUsersOtherSignInsAlone()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var http = server.CreateHttpClient();
        async Task<TokenResponse> SignInAsync()
        {
            var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
            browser.Dispose();
            var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
            tokens.AssertSuccess();
            return tokens;
        }

        var laptop = await SignInAsync();
        var phone = await SignInAsync();
        (await client.RefreshAsync(http, laptop.RefreshToken!)).AssertSuccess();
        (await client.RefreshAsync(http, laptop.RefreshToken!)).AssertError("invalid_grant");

        (await client.RefreshAsync(http, phone.RefreshToken!)).AssertSuccess();
    }

    [Fact]
    public async Task Refresh_ConsentRevoked_InvalidGrantWithReason()
    {
        var (client, tokens, userId) = await SignedInAsync();
        await server.Directory.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteDeleteAsync(
            db.OAuth2PermissionGrants.Where(g => g.PrincipalId == userId)));
        using var http = server.CreateHttpClient();
        (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertError("invalid_grant", "TSR2035");
    }
}
