using Microsoft.AspNetCore.WebUtilities;
using Tessera.Directory.Applications;
using Tessera.Server.Directory;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>A registered client with one redirect URI, and the requests it would send in the code flow.</summary>
public sealed class CodeFlowClient
{
    public const string RedirectUri = "https://client.example.com/callback";
    public const string NativeRedirectUri = "http://127.0.0.1/callback";
    public const string PostLogoutRedirectUri = "https://client.example.com/signed-out";

    private CodeFlowClient(TesseraServerFixture server, Application application, string? secret, string redirectUri)
    {
        Server = server;
        Application = application;
        Secret = secret;
        Redirect = redirectUri;
    }

    public TesseraServerFixture Server { get; }
    public Application Application { get; }
    public string ClientId => Application.AppId.ToString("D");
    public string? Secret { get; }
    public string Redirect { get; }

    public static Task<CodeFlowClient> RegisterAsync(TesseraServerFixture server, bool confidential = true)
        => RegisterAsync(server, server.Directory, confidential);

    /// <summary>A client registered in <paramref name="directory"/>'s tenant (another tenant than the server's first).</summary>
    public static async Task<CodeFlowClient> RegisterAsync(TesseraServerFixture server, TestDirectory directory, bool confidential = true)
    {
        var redirect = confidential ? RedirectUri : NativeRedirectUri;
        var application = await directory.RegisterAsync(new NewApplication("web app " + Guid.NewGuid().ToString("N")[..6])
        {
            IsPublicClient = !confidential,
            RedirectUris = [redirect],
            PostLogoutRedirectUris = [PostLogoutRedirectUri],
        });
        var secret = confidential ? await directory.AddSecretAsync(application.AppId) : null;
        return new CodeFlowClient(server, application, secret, redirect);
    }

    public string AuthorizeUrl(Pkce? pkce, string scope = "openid profile offline_access", string? redirectUri = null,
        IDictionary<string, string?>? extra = null, string state = "state-123", string nonce = "nonce-456")
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri ?? Redirect,
            ["scope"] = scope,
            ["state"] = state,
            ["nonce"] = nonce,
        };
        if (pkce is not null)
        {
            parameters["code_challenge"] = pkce.Challenge;
            parameters["code_challenge_method"] = "S256";
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            parameters[name] = value;
        }

        return QueryHelpers.AddQueryString(Server.AuthorizeEndpoint, parameters);
    }

    public Task<TokenResponse> RedeemAsync(HttpClient http, string code, string verifier, string? redirectUri = null)
        => TokenClient.PostAsync(http, Server.TokenEndpoint, WithAuthentication(
            ("grant_type", "authorization_code"), ("code", code), ("code_verifier", verifier), ("redirect_uri", redirectUri ?? Redirect)));

    public Task<TokenResponse> RefreshAsync(HttpClient http, string refreshToken, string? scope = null)
        => TokenClient.PostAsync(http, Server.TokenEndpoint, WithAuthentication(
            [("grant_type", "refresh_token"), ("refresh_token", refreshToken), .. scope is null ? Array.Empty<(string, string)>() : [("scope", scope)]]));

    public (string Name, string Value)[] WithAuthentication(params (string Name, string Value)[] fields)
        => [.. fields, ("client_id", ClientId), .. Secret is null ? Array.Empty<(string, string)>() : [("client_secret", Secret)]];

    /// <summary>Signs a user in through the pages and returns the code, ready to redeem.</summary>
    public async Task<(string Code, Pkce Pkce, UserAgent Browser)> SignInAsync(string userName, string scope = "openid profile offline_access")
    {
        var pkce = Pkce.Create();
        var browser = new UserAgent(Server);
        var outcome = await browser.AuthorizeAsync(AuthorizeUrl(pkce, scope), userName);
        Assert.True(outcome.Redirect is not null, $"Expected a redirect to the client; got {(int)outcome.LastResponse.StatusCode}: {outcome.Body}");
        Assert.True(outcome.Query.ContainsKey("code"), outcome.Redirect!.ToString());
        return (outcome.Query["code"], pkce, browser);
    }

    /// <summary>Signs a user in through the pages in a browser of their own and redeems the code: the user's tokens.</summary>
    public async Task<TokenResponse> TokensAsync(string userName, string scope = "openid profile offline_access")
    {
        var (code, pkce, browser) = await SignInAsync(userName, scope);
        browser.Dispose();
        using var http = Server.CreateHttpClient();
        var tokens = await RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return tokens;
    }
}
