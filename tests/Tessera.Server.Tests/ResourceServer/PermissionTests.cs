using System.Net;
using System.Text;
using System.Text.Json;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// Scope, app-role and authentication-context requirements, as endpoint conventions and as attributes. A valid token
/// without the permission gets 403 with RFC 6750's insufficient_scope (or 401 with a claims challenge for a missing
/// authentication context), and no body.
/// </summary>
public sealed class PermissionTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private ProtectedApi Api => fixture.Api;
    private string User => fixture.UserTokens.AccessToken;

    public static TheoryData<string, string, HttpStatusCode, string?> Matrix => new()
    {
        // endpoint, token, status, WWW-Authenticate
        { "/items", "user", HttpStatusCode.OK, null },
        { "/items", "app", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\", scope=\"Orders.Read Orders.ReadWrite\"" },
        { "/all-items", "app", HttpStatusCode.OK, null },
        { "/all-items", "user", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\"" },
        { "/all-items", "app-without-role", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\"" },
        { "/either", "user", HttpStatusCode.OK, null },
        { "/either", "app", HttpStatusCode.OK, null },
        { "/either", "app-without-role", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\", scope=\"Orders.Read\"" },
        { "/write", "user", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\", scope=\"Orders.ReadWrite\"" },
        { "/write", "app", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\", scope=\"Orders.ReadWrite\"" },
        { "/write-or-app", "app", HttpStatusCode.OK, null },
        { "/write-or-app", "user", HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\", scope=\"Orders.ReadWrite\"" },
        { "/items", "none", HttpStatusCode.Unauthorized, "Bearer" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Requirement_Token_Outcome(string path, string token, HttpStatusCode status, string? challenge)
    {
        using var response = await Api.GetAsync(path, token switch
        {
            "user" => User,
            "app" => fixture.AppToken,
            "app-without-role" => fixture.AppTokenWithoutRole,
            _ => null,
        });

        Assert.Equal(status, response.StatusCode);
        if (challenge is null)
        {
            Assert.Empty(response.Headers.WwwAuthenticate);
        }
        else
        {
            Assert.Equal(challenge, Assert.Single(response.Headers.GetValues("WWW-Authenticate")));
            Assert.Empty(await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task AuthContext_Missing_401WithEntraClaimsChallenge()
    {
        using var response = await Api.GetAsync("/step-up", User);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
        var header = Assert.Single(response.Headers.GetValues("WWW-Authenticate"));
        const string Prefix = "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"";
        Assert.StartsWith(Prefix, header, StringComparison.Ordinal);
        var claims = header[Prefix.Length..^1];
        Assert.Equal("""{"access_token":{"acrs":{"essential":true,"value":"c1"}}}""", Encoding.UTF8.GetString(Convert.FromBase64String(claims)));
    }

    [Theory]
    [InlineData("c1", HttpStatusCode.OK)]
    [InlineData("c2", HttpStatusCode.Unauthorized)]
    public async Task AuthContext_InAcrs_StepUpAccepted(string acrs, HttpStatusCode status)
    {
        var claims = fixture.Forge.UserClaims(fixture.ApiId, "Orders.Read");
        claims["acrs"] = new[] { acrs };

        using var response = await Api.GetAsync("/step-up", fixture.Forge.SignedByServer(claims));

        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task AuthContext_Attribute_ChallengesForItsContext()
    {
        using var response = await Api.GetAsync("/step-up-c2", User);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var header = Assert.Single(response.Headers.GetValues("WWW-Authenticate"));
        var claims = header.Split("claims=\"")[1].TrimEnd('"');
        var request = JsonDocument.Parse(Convert.FromBase64String(claims)).RootElement;
        Assert.Equal("c2", request.GetProperty("access_token").GetProperty("acrs").GetProperty("value").GetString());
    }

    [Fact]
    public async Task StepUp_ScopeMissingToo_ScopeAnsweredFirst()
    {
        using var response = await Api.GetAsync("/step-up", fixture.AppToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Requirements_BadNames_RefusedWhenDeclared()
    {
        var policy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder();
        Assert.Throws<ArgumentException>(() => Tessera.AspNetCore.TesseraAuthorizationPolicyBuilderExtensions.RequireScope(policy));
        Assert.Throws<ArgumentException>(() => Tessera.AspNetCore.TesseraAuthorizationPolicyBuilderExtensions.RequireScope(policy, "Orders \"Read\""));
        Assert.Throws<ArgumentException>(() => Tessera.AspNetCore.TesseraAuthorizationPolicyBuilderExtensions.RequireScopeOrAppRole(policy, [], []));
        Assert.Throws<ArgumentException>(() => Tessera.AspNetCore.TesseraAuthorizationPolicyBuilderExtensions.RequireAuthContext(policy, "c1\", x=\"y"));
    }
}
