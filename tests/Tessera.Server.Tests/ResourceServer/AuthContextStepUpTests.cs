using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.ConditionalAccess;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Mfa;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// Authentication-context step-up end to end: an API that requires <c>c1</c> answers with a claims challenge, the
/// client sends those claims to the authorization endpoint, the Conditional Access policy on <c>c1</c> asks for MFA,
/// the user completes the second step, and the new token's <c>acrs</c> gets the API's answer.
/// </summary>
public sealed class AuthContextStepUpTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private TesseraServerFixture Server => fixture.Server;

    [Fact]
    public async Task StepUp_ClaimsChallengeToAuthorize_PolicyOnC1DemandsMfa_NewTokenCarriesAcrsAndApiAnswers200()
    {
        var user = await Server.Directory.CreateUserAsync();
        using var browser = new UserAgent(Server);
        await SecurityInfoPages.SignInAsync(browser, Server, user.UserName!);
        var (key, _) = await SecurityInfoPages.SetUpAuthenticatorAsync(browser, Server);
        await ConditionalAccessSetup.RequireMfaForContextAsync(Server, "c1", user.Id);

        // The session is a password alone: enough for the API's ordinary endpoints, not for the step-up one.
        var scope = $"openid profile {fixture.Identifier}/Orders.Read";
        var first = await TokensAsync(browser, user.UserName!, scope, claims: null, secondFactor: null);
        Assert.False(first.Access.TryGetPayloadValue<string[]>("acrs", out _));
        using var challenged = await fixture.Api.GetAsync("/step-up", first.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        var header = Assert.Single(challenged.Headers.GetValues("WWW-Authenticate"));
        var encoded = header[(header.IndexOf("claims=\"", StringComparison.Ordinal) + 8)..^1];
        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));

        var stepped = await TokensAsync(browser, user.UserName!, scope, claims, () => Totp.Unused(key, SecurityInfoPages.UsedCodes(key)));

        Assert.Contains(browser.History, h => h.Url.Contains("/account/two-factor", StringComparison.Ordinal));
        Assert.Equal(["c1"], stepped.Access.GetPayloadValue<string[]>("acrs"));
        Assert.Contains("mfa", stepped.Access.GetPayloadValue<string[]>("amr"));
        using var answered = await fixture.Api.GetAsync("/step-up", stepped.AccessToken);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);

        // The refreshed token keeps the context while the policy is still satisfied.
        using var http = Server.CreateHttpClient();
        var refreshed = await fixture.WebClient.RefreshAsync(http, stepped.RefreshToken!);
        refreshed.AssertSuccess();
        Assert.Equal(["c1"], refreshed.Access.GetPayloadValue<string[]>("acrs"));
    }

    private async Task<TokenResponse> TokensAsync(UserAgent browser, string userName, string scope, string? claims, Func<string>? secondFactor)
    {
        var pkce = Pkce.Create();
        var extra = claims is null ? null : new Dictionary<string, string?> { ["claims"] = claims };
        var outcome = await browser.AuthorizeAsync(fixture.WebClient.AuthorizeUrl(pkce, scope + " offline_access", extra: extra), userName, secondFactor: secondFactor);
        Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
        using var http = Server.CreateHttpClient();
        var tokens = await fixture.WebClient.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
        tokens.AssertSuccess();
        return tokens;
    }
}
