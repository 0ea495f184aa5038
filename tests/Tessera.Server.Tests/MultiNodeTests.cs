using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Two server processes' worth of Tessera (two hosts, two ports) on one database, as behind a load balancer:
/// whatever one node issues, the other accepts. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
/// </summary>
public sealed class MultiNodeTests(TesseraServerFixture first) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task TwoNodes_OneDatabase_AgreeOnKeysCodesAndRefreshTokens()
    {
        await using var second = await TesseraServerFixture.StartServerAsync(first.DataPath, first.StorageArguments);
        Assert.Equal(first.TenantId, second.FirstTenantId);

        using var http = new HttpClient();
        var keysFirst = new JsonWebKeySet(await http.GetStringAsync($"{first.TenantBase}/discovery/v2.0/keys")).Keys.Select(k => k.Kid).Order();
        var keysSecond = new JsonWebKeySet(await http.GetStringAsync($"{second.Origin}/{first.TenantId:D}/discovery/v2.0/keys")).Keys.Select(k => k.Kid).Order();
        Assert.Equal(keysFirst, keysSecond);

        // Sign in and get a code on the first node, redeem it and refresh on the second, refresh again on the first.
        var user = await first.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(first);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();

        var secondTokenEndpoint = $"{second.Origin}/{first.TenantId:D}/oauth2/v2.0/token";
        var redeemed = await TokenClient.PostAsync(http, secondTokenEndpoint, client.WithAuthentication(
            ("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.Verifier), ("redirect_uri", client.Redirect)));
        redeemed.AssertSuccess();
        Assert.Equal(first.Authority.Replace(first.Origin, second.Origin, StringComparison.Ordinal), redeemed.Access.Issuer);

        var refreshedOnSecond = await TokenClient.PostAsync(http, secondTokenEndpoint, client.WithAuthentication(
            ("grant_type", "refresh_token"), ("refresh_token", redeemed.RefreshToken!)));
        refreshedOnSecond.AssertSuccess();

        var refreshedOnFirst = await client.RefreshAsync(http, refreshedOnSecond.RefreshToken!);
        refreshedOnFirst.AssertSuccess();

        // Reuse of a rotated token is caught whichever node sees it.
        var replay = await client.RefreshAsync(http, redeemed.RefreshToken!);
        replay.AssertError("invalid_grant");
    }
}
