using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class AuthorizationCodeTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task CodeFlow_ConfidentialClient_IssuesTokensWithIssInResponseAndNonceInIdToken()
    {
        var user = await server.Directory.CreateUserAsync();
        var api = await server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..6]);
        var client = await CodeFlowClient.RegisterAsync(server);
        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);

        var outcome = await browser.AuthorizeAsync(
            client.AuthorizeUrl(pkce, $"openid profile email offline_access {api.IdentifierUris[0]}/Orders.Read"), user.UserName);

        Assert.StartsWith(CodeFlowClient.RedirectUri + "?", outcome.Redirect!.ToString(), StringComparison.Ordinal);
        Assert.Equal("state-123", outcome.Query["state"]);
        Assert.Equal(server.Authority, outcome.Query["iss"]);

        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
        tokens.AssertSuccess();
        var access = tokens.Access;
        Assert.Equal("at+jwt", access.Typ);
        Assert.Equal(api.AppId.ToString("D"), access.Audiences.Single());
        Assert.Equal("Orders.Read", access.GetClaim("scp").Value);
        Assert.Contains($"{api.IdentifierUris[0]}/Orders.Read", tokens.Json.GetProperty("scope").GetString()!.Split(' '));
        Assert.Equal(user.Id.ToString("D"), access.GetClaim("oid").Value);
        Assert.Equal(user.Id.ToString("D"), access.Subject);
        Assert.Equal(client.ClientId, access.GetClaim("azp").Value);
        Assert.Equal("1", access.GetClaim("azpacr").Value);
        Assert.Equal("user", access.GetClaim("idtyp").Value);
        Assert.Equal(user.UserName, access.GetClaim("preferred_username").Value);
        Assert.False(access.TryGetClaim("scope", out var scope) && scope.Value.Contains("api://", StringComparison.Ordinal));

        var id = new JsonWebToken(tokens.IdToken);
        Assert.Equal("nonce-456", id.GetClaim("nonce").Value);
        Assert.Equal(client.ClientId, id.Audiences.Single());
        Assert.Equal(server.Authority, id.Issuer);
        Assert.True(id.TryGetClaim("auth_time", out _));
        Assert.NotNull(tokens.RefreshToken);

        var validation = await TokenValidation.ValidateAsync(server, tokens.AccessToken, api.AppId.ToString("D"));
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task CodeFlow_PublicNativeClient_AnyLoopbackPortAndNoSecret()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server, confidential: false);
        var pkce = Pkce.Create();
        using var browser = new UserAgent(server);
        var redirect = "http://127.0.0.1:53117/callback";

        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce, redirectUri: redirect), user.UserName);
        Assert.StartsWith(redirect, outcome.Redirect!.ToString(), StringComparison.Ordinal);

        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier, redirect);
        tokens.AssertSuccess();
        Assert.Equal("0", tokens.Access.GetClaim("azpacr").Value);
    }

    [Fact]
    public async Task Code_RedeemedTwice_SecondIsRefusedAndTokensOfFirstAreRevoked()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();

        var first = await client.RedeemAsync(http, code, pkce.Verifier);
        first.AssertSuccess();
        var second = await client.RedeemAsync(http, code, pkce.Verifier);
        second.AssertError("invalid_grant");

        var refresh = await client.RefreshAsync(http, first.RefreshToken!);
        refresh.AssertError("invalid_grant");
    }

    [Fact]
    public async Task Code_WrongVerifier_InvalidGrant()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, _, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        (await client.RedeemAsync(http, code, Pkce.Create().Verifier)).AssertError("invalid_grant");
    }

    [Fact]
    public async Task Code_MissingVerifier_InvalidRequest()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, _, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint,
            client.WithAuthentication(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.Redirect)));
        Assert.Contains(response.Error, new[] { "invalid_request", "invalid_grant" });
    }

    [Fact]
    public async Task Code_RedeemedByAnotherClient_InvalidGrant()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var other = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        (await other.RedeemAsync(http, code, pkce.Verifier)).AssertError("invalid_grant");
    }

    [Fact]
    public async Task Code_RedeemedWithOtherRedirectUri_InvalidGrant()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        (await client.RedeemAsync(http, code, pkce.Verifier, CodeFlowClient.RedirectUri + "/other")).AssertError("invalid_grant");
    }

    [Theory]
    [InlineData("https://client.example.com/callback/")]
    [InlineData("https://client.example.com/callback/more")]
    [InlineData("https://client.example.com/callback?x=1")]
    [InlineData("https://CLIENT.example.com/callback")]
    [InlineData("https://client.example.com/Callback")]
    [InlineData("https://evil.example.net/callback")]
    [InlineData("https://client.example.com:8443/callback")]
    [InlineData("http://client.example.com/callback")]
    [InlineData("https://client.example.com/callback#frag")]
    [InlineData("not a uri")]
    public async Task Authorize_RedirectUriNotExactlyRegistered_RefusedWithoutRedirect(string redirectUri)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), redirectUri: redirectUri), userName: null);
        Assert.Null(outcome.Redirect);
        Assert.Equal(HttpStatusCode.BadRequest, outcome.LastResponse.StatusCode);
        Assert.Contains("invalid_request", outcome.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_ConfidentialClientOnLoopbackWithOtherPort_Refused()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), redirectUri: "https://client.example.com:444/callback"), userName: null);
        Assert.Null(outcome.Redirect);
    }

    [Fact]
    public async Task Authorize_NoPkce_RefusedWithReason()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce: null), userName: null);
        Assert.Contains("invalid_request", outcome.ErrorText, StringComparison.Ordinal);
        Assert.Contains("TSR2005", outcome.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_PlainPkce_RefusedWithReason()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var url = client.AuthorizeUrl(pkce: null, extra: new Dictionary<string, string?> { ["code_challenge"] = new string('a', 43), ["code_challenge_method"] = "plain" });
        var outcome = await browser.AuthorizeAsync(url, userName: null);
        Assert.Contains("invalid_request", outcome.ErrorText, StringComparison.Ordinal);
        Assert.Contains("TSR2006", outcome.ErrorText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("id_token")]
    [InlineData("id_token token")]
    [InlineData("code id_token")]
    [InlineData("code token")]
    public async Task Authorize_ImplicitOrHybrid_UnsupportedResponseTypeWithReason(string responseType)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(
            client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["response_type"] = responseType }), userName: null);
        Assert.Contains("unsupported_response_type", outcome.ErrorText, StringComparison.Ordinal);
        Assert.Contains("TSR2001", outcome.ErrorText, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", outcome.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_PromptNoneWithoutSession_LoginRequired()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);
        Assert.Equal("login_required", outcome.Query["error"]);
        Assert.Equal("state-123", outcome.Query["state"]);
    }

    [Fact]
    public async Task Authorize_PromptNoneWithSessionButNoConsent_ConsentRequired()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var other = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            var outcome = await browser.AuthorizeAsync(other.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);
            Assert.Equal("consent_required", outcome.Query["error"]);
        }
    }

    [Fact]
    public async Task Authorize_SecondTimeWithSessionAndConsent_NoPagesShown()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "none" }), userName: null);
            Assert.True(outcome.Query.ContainsKey("code"), outcome.Redirect?.ToString());
        }
    }

    [Fact]
    public async Task Authorize_PromptLogin_AsksForCredentialsAgain()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            var withoutCredentials = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "login" }), userName: null);
            Assert.Null(withoutCredentials.Redirect);
            Assert.Contains("id=\"signin\"", withoutCredentials.Body, StringComparison.Ordinal);

            var again = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["prompt"] = "login" }), user.UserName);
            Assert.True(again.Query.ContainsKey("code"));
        }
    }

    [Fact]
    public async Task Authorize_MaxAgeExceeded_AsksForCredentialsAgain()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            await Task.Delay(1100);
            var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["max_age"] = "0" }), userName: null);
            Assert.Null(outcome.Redirect);
            Assert.Contains("id=\"signin\"", outcome.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Authorize_UnknownApiScope_InvalidScopeToClient()
    {
        var user = await server.Directory.CreateUserAsync();
        var api = await server.Directory.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..6]);
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), $"openid {api.IdentifierUris[0]}/Orders.Delete"), user.UserName);
        Assert.Equal("invalid_scope", outcome.Query["error"]);
        Assert.StartsWith("TSR2013", outcome.Query["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_Denied_AccessDeniedToClient()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName, consent: false);
        Assert.Equal("access_denied", outcome.Query["error"]);
    }

    [Fact]
    public async Task SignIn_Cookies_AreHostPrefixedSecureHttpOnly()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            var session = browser.SetCookieHeaders.First(h => h.StartsWith("__Host-tessera.session=", StringComparison.Ordinal));
            Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/", session, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("domain=", session, StringComparison.OrdinalIgnoreCase);
            Assert.All(browser.SetCookieHeaders, h => Assert.StartsWith("__Host-", h, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task SignInPage_Headers_ForbidFramingSniffingAndCaching()
    {
        using var http = server.CreateHttpClient();
        using var response = await http.GetAsync($"{server.TenantBase}/account/signin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // plain HTTP on loopback: nothing to pin
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_PostWithoutAntiforgeryToken_Refused()
    {
        using var http = server.CreateHttpClient();
        using var content = new FormUrlEncodedContent([new("UserName", "x@y.z"), new("Password", "whatever-password")]);
        using var response = await http.PostAsync($"{server.TenantBase}/account/signin", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_UnknownUserAndWrongPassword_SameMessage()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var wrongPassword = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName, password: "not the password at all");
        var unknownUser = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), "nobody@" + server.Bootstrap.Domain, password: "not the password at all");
        Assert.Contains("The user name or password is incorrect.", wrongPassword.Body, StringComparison.Ordinal);
        Assert.Contains("The user name or password is incorrect.", unknownUser.Body, StringComparison.Ordinal);
        Assert.Equal(wrongPassword.LastResponse.StatusCode, unknownUser.LastResponse.StatusCode);
    }

    [Fact]
    public async Task Authorize_LoginHint_PrefillsUserName()
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        var outcome = await browser.AuthorizeAsync(
            client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?> { ["login_hint"] = "carol@example.test" }), userName: null);
        Assert.Contains("value=\"carol@example.test\"", outcome.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_Post_RedirectsWith303()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var browser = new UserAgent(server);
        await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create()), user.UserName);
        Assert.Contains(browser.History, step => step.Method == HttpMethod.Post && step.Status == System.Net.HttpStatusCode.SeeOther);
        Assert.DoesNotContain(browser.History, step => step.Method == HttpMethod.Post && (int)step.Status is 302 or 307);
    }

    [Fact]
    public async Task Authorize_IdTokenHintOfAnotherUser_PromptNoneGetsLoginRequired()
    {
        var alice = await server.Directory.CreateUserAsync();
        var bob = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        using var http = server.CreateHttpClient();

        var (bobCode, bobPkce, bobBrowser) = await client.SignInAsync(bob.UserName!);
        bobBrowser.Dispose();
        var bobTokens = await client.RedeemAsync(http, bobCode, bobPkce.Verifier);

        var (_, _, aliceBrowser) = await client.SignInAsync(alice.UserName!);
        using (aliceBrowser)
        {
            var hinted = await aliceBrowser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?>
            {
                ["prompt"] = "none",
                ["id_token_hint"] = bobTokens.IdToken,
            }), userName: null);
            Assert.Equal("login_required", hinted.Query["error"]);
        }
    }

    [Fact]
    public async Task CodeFlow_UserWithAdminRole_TokenCarriesWidsAsArray()
    {
        var user = await server.Directory.CreateUserAsync();
        await server.Directory.AssignAdminRoleAsync(user.Id, Tessera.Policy.Admin.AdminRoles.SecurityReader.TemplateId);
        var client = await CodeFlowClient.RegisterAsync(server);
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        var payload = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(tokens.Access.EncodedPayload)).RootElement;
        Assert.Equal([Tessera.Policy.Admin.AdminRoles.SecurityReader.TemplateId.ToString()],
            payload.GetProperty("wids").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Authorize_ForgedIdTokenHint_RefusedNotIgnored()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        using (browser)
        {
            var forged = "eyJhbGciOiJub25lIn0." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode($$"""{"sub":"{{user.Id}}"}""") + ".";
            var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), extra: new Dictionary<string, string?>
            {
                ["prompt"] = "none",
                ["id_token_hint"] = forged,
            }), userName: null);
            Assert.False(outcome.Query.ContainsKey("code"));
            Assert.Contains("invalid_request", outcome.ErrorText, StringComparison.Ordinal);
        }
    }
}
