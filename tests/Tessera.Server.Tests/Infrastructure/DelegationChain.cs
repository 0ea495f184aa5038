using Tessera.Directory.Applications;
using Tessera.Directory.Users;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// For on-behalf-of and token exchange: a web app, the middle-tier API it calls (a confidential client with a secret),
/// the downstream API, and a user signed in to the web app, whose access token for the middle tier the web app sends it.
/// </summary>
/// <param name="UserTokens">The user's tokens, issued to the web app for the middle tier.</param>
public sealed record DelegationChain(
    CodeFlowClient Web, Application MiddleTier, string MiddleTierSecret, Application DownstreamApi, DirectoryUser User, TokenResponse UserTokens)
{
    public string MiddleTierId => MiddleTier.IdentifierUris[0];

    /// <summary>The downstream API's identifier URI.</summary>
    public string Downstream => DownstreamApi.IdentifierUris[0];
    public string UserToken => UserTokens.AccessToken;

    /// <param name="granted">The delegated scopes the middle tier holds on the downstream API for everyone (none when null).</param>
    public static async Task<DelegationChain> ArrangeAsync(TesseraServerFixture server, string? granted)
    {
        ArgumentNullException.ThrowIfNull(server);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var middle = await server.Directory.RegisterApiAsync("api://middle-" + suffix);
        var middleSecret = await server.Directory.AddSecretAsync(middle.AppId);
        var downstream = await server.Directory.RegisterApiAsync("api://downstream-" + suffix);
        if (granted is not null)
        {
            await server.Directory.GrantConsentAsync(middle.AppId, downstream.AppId, granted);
        }

        var web = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.GrantConsentAsync(web.Application.AppId, middle.AppId, "Orders.Read");
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await web.SignInAsync(user.UserName!, $"openid profile offline_access {middle.IdentifierUris[0]}/Orders.Read");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await web.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        Assert.Equal(middle.AppId.ToString("D"), Assert.Single(tokens.Access.Audiences));
        return new DelegationChain(web, middle, middleSecret, downstream, user, tokens);
    }
}
