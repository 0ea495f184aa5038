using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Directory.Users;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A user signed in through the browser to a newly registered client, the code redeemed: the browser keeps its
/// sign-in session until this is disposed.
/// </summary>
public sealed record BrowserSignIn(DirectoryUser User, CodeFlowClient Client, TokenResponse Tokens, UserAgent Browser) : IDisposable
{
    /// <summary>The sign-in session's id, the ID token's <c>sid</c>.</summary>
    public string SessionId => new JsonWebToken(Tokens.IdToken!).GetClaim("sid").Value;

    /// <summary>Signs <paramref name="user"/> in (a new user when null) and redeems the code; the tokens must be issued.</summary>
    public static async Task<BrowserSignIn> StartAsync(TesseraServerFixture server, DirectoryUser? user = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        user ??= await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return new BrowserSignIn(user, client, tokens, browser);
    }

    public void Dispose() => Browser.Dispose();
}
