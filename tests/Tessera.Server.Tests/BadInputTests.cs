using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Hostile and malformed requests against every endpoint under <c>/{tenant}/</c>. The rule for all of them: a 4xx,
/// never a 5xx; a body with a standard OAuth error code and a sentence; no stack trace; and nothing written.
/// Where the protocol legitimately answers 200 (RFC 7009 revocation, RFC 7662 introspection), the test says so.
/// </summary>
public sealed partial class BadInputTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Token = "oauth2/v2.0/token";
    private const string Authorize = "oauth2/v2.0/authorize";
    private const string Revoke = "oauth2/v2.0/revoke";
    private const string Introspect = "oauth2/v2.0/introspect";
    private const string UserInfo = "oidc/userinfo";
    private const string Logout = "oauth2/v2.0/logout";
    private const string Discovery = "v2.0/.well-known/openid-configuration";
    private const string Keys = "discovery/v2.0/keys";
    private const string SignIn = "account/signin";
    private const string Consent = "account/consent";
    private const string FormType = "application/x-www-form-urlencoded";

    private static readonly string[] Endpoints = [Token, Authorize, Revoke, Introspect, UserInfo, Logout, Discovery, Keys, SignIn, Consent];
    private static readonly string[] ProtocolPostEndpoints = [Token, Authorize, Revoke, Introspect, UserInfo, Logout];
    private static readonly string[] Pages = [SignIn, Consent];
    private static readonly string[] StackTraceMarkers = ["   at ", "Exception", "System."];

    // RFC 6749 §4.1.2.1/§5.2, RFC 6750 §3.1, OIDC Core §3.1.2.6, and Entra's not_found for unknown addresses.
    private static readonly HashSet<string> StandardErrors =
    [
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
        "access_denied", "unsupported_response_type", "invalid_token", "insufficient_scope", "login_required", "consent_required",
        "interaction_required", "request_not_supported", "request_uri_not_supported", "not_found",
    ];

    public static TheoryData<string, string> WrongMethods()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints)
        {
            foreach (var method in new[] { "PUT", "DELETE", "PATCH" })
            {
                data.Add(endpoint, method);
            }
        }

        return data;
    }

    public static TheoryData<string, string> PostsWithWrongContentType()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in ProtocolPostEndpoints.Concat(Pages))
        {
            foreach (var type in new[] { "application/json", "multipart/form-data", "text/plain" })
            {
                data.Add(endpoint, type);
            }
        }

        return data;
    }

    public static TheoryData<string, string, HttpStatusCode, string> FormsOverLimits()
    {
        // Every form is read (and checked for NUL) before any endpoint or page runs, so the limits answer alike everywhere.
        var data = new TheoryData<string, string, HttpStatusCode, string>();
        foreach (var endpoint in ProtocolPostEndpoints.Concat(Pages))
        {
            data.Add(endpoint, "2 MB body", HttpStatusCode.RequestEntityTooLarge, "TSR2019");
            data.Add(endpoint, "100 fields", HttpStatusCode.BadRequest, "TSR2025");
            data.Add(endpoint, "20 KB value", HttpStatusCode.BadRequest, "TSR2025");
        }

        return data;
    }

    public static TheoryData<string, string> GarbageGrantsAndAssertions()
    {
        var data = new TheoryData<string, string>();
        foreach (var parameter in new[] { "code", "refresh_token", "client_assertion" })
        {
            foreach (var shape in new[] { "random bytes", "random base64url", "a.b.c", "alg none JWT", "10 KB", "NUL" })
            {
                data.Add(parameter, shape);
            }
        }

        return data;
    }

    // ---- Methods, content types, sizes --------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(WrongMethods))]
    public async Task Endpoint_WrongMethod_400InvalidRequest(string endpoint, string method)
    {
        var answer = await SendAsync(new HttpRequestMessage(new HttpMethod(method), Url(endpoint)) { Content = RawForm("a=b") });
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [MemberData(nameof(PostsWithWrongContentType))]
    public async Task PostEndpoint_BodyNotAForm_400InvalidRequest(string endpoint, string contentType)
    {
        HttpContent content = contentType switch
        {
            "multipart/form-data" => new MultipartFormDataContent { { new StringContent("client_credentials"), "grant_type" } },
            "application/json" => new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, contentType),
            _ => new StringContent("grant_type=client_credentials", Encoding.UTF8, contentType),
        };
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = content });
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData(Token)]
    [InlineData(Authorize)]
    [InlineData(Revoke)]
    [InlineData(Introspect)]
    [InlineData(SignIn)]
    [InlineData(Consent)]
    public async Task PostEndpoint_EmptyForm_400InvalidRequest(string endpoint)
    {
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = RawForm(string.Empty) });
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task UserInfo_EmptyForm_401BearerChallengeWithoutErrorCode()
    {
        // RFC 6750 §3.1: a request without any token gets a bare challenge, "SHOULD NOT include an error code".
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(UserInfo)) { Content = RawForm(string.Empty) });
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("Bearer", answer.Challenge);
        AssertNoStackTrace(answer);
    }

    [Fact]
    public async Task Logout_EmptyForm_AsksTheUserToConfirm()
    {
        // RP-initiated logout without an id_token_hint is valid (OIDC RP-Initiated Logout §2), but a bare request could
        // come from any site: the user confirms on our own page first.
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Logout)) { Content = RawForm(string.Empty) });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("id=\"confirm\"", answer.Body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FormsOverLimits))]
    public async Task PostEndpoint_FormOverLimits_RefusedWithNumberedError(string endpoint, string shape, HttpStatusCode status, string code)
    {
        var body = shape switch
        {
            "2 MB body" => "grant_type=client_credentials&x=" + new string('a', 2 * 1024 * 1024),
            "100 fields" => "grant_type=client_credentials&" + string.Join('&', Enumerable.Range(0, 100).Select(i => $"f{i}=v")),
            _ => "grant_type=client_credentials&client_id=" + new string('a', 20 * 1024),
        };
        // Kestrel answers 413 from Content-Length alone and may close the socket while the client is still writing;
        // then the client never reads the answer. Retry until one attempt gets to read it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = RawForm(body) });
                AssertRefused(answer, status, "invalid_request", code);
                return;
            }
            catch (HttpRequestException) when (shape == "2 MB body" && attempt < 5)
            {
            }
        }
    }

    [Theory]
    [InlineData(Authorize)]
    [InlineData(Logout)]
    [InlineData(UserInfo)]
    [InlineData(Discovery)]
    [InlineData(Keys)]
    [InlineData(SignIn)]
    [InlineData(Consent)]
    public async Task GetEndpoint_QueryOf15KB_AnsweredNormally(string endpoint)
    {
        // Under Kestrel's 16 KB request line: each endpoint answers as it would without the junk parameter.
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(endpoint) + "?junk=" + new string('a', 15 * 1024)));
        Assert.True((int)answer.Status < 500, $"{(int)answer.Status}: {answer.Body}");
        AssertNoStackTrace(answer);
        AssertStaysOnServer(answer);
        if ((int)answer.Status >= 400 && answer.Status != HttpStatusCode.Unauthorized)
        {
            AssertRefused(answer, answer.Status, "invalid_request");
        }
    }

    [Theory]
    [InlineData(Authorize)]
    [InlineData(Logout)]
    [InlineData(UserInfo)]
    [InlineData(Discovery)]
    [InlineData(Keys)]
    [InlineData(SignIn)]
    [InlineData(Consent)]
    public async Task GetEndpoint_QueryOver16KB_414FromKestrel(string endpoint)
    {
        // Kestrel refuses the request line before any of Tessera's code runs, so there is no body to shape.
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(endpoint) + "?junk=" + new string('a', 20 * 1024)));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, answer.Status);
        AssertNoStackTrace(answer);
    }

    // ---- Parameters ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("grant_type=client_credentials", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("grant_type=password", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("client_id={client}", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("client_secret={secret}", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("scope={scope}", HttpStatusCode.BadRequest, "invalid_scope")]
    public async Task Token_ParameterTwice_Refused(string duplicate, HttpStatusCode status, string error)
    {
        // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once." OpenIddict reads a
        // repeated parameter as absent, so a repeated scope is refused as the missing '/.default' scope (TSR2012).
        var body = ClientCredentials() + "&" + Fill(duplicate);
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Token)) { Content = RawForm(body) });
        AssertRefused(answer, status, error);
    }

    [Theory]
    [InlineData("GET", "client_id")]
    [InlineData("GET", "response_type")]
    [InlineData("GET", "redirect_uri")]
    [InlineData("POST", "client_id")]
    [InlineData("POST", "code_challenge")]
    public async Task Authorize_ParameterTwice_400InvalidRequest(string method, string duplicate)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var url = client.AuthorizeUrl(Pkce.Create());
        var query = url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..];
        var again = QueryHelpers.ParseQuery("?" + query)[duplicate].ToString();
        query += $"&{duplicate}={Uri.EscapeDataString(again)}";
        var request = method == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, Url(Authorize) + "?" + query)
            : new HttpRequestMessage(HttpMethod.Post, Url(Authorize)) { Content = RawForm(query) };
        var answer = await SendAsync(request);
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("grant_type", "client_credentials%00", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("grant_type", "client_credentials%0D%0A", HttpStatusCode.BadRequest, "unsupported_grant_type")]
    [InlineData("client_id", "{client}%00", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("client_id", "%C3%28", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("client_id", "%FF%FE%FD", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("client_id", "a%01%1B%7F%0D%0A", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("client_secret", "%C3%28", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("client_secret", "%00", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("scope", "api%0D%0A%3A//tessera-admin/.default", HttpStatusCode.BadRequest, "invalid_scope")]
    [InlineData("scope", "%C3%28/.default", HttpStatusCode.BadRequest, "invalid_scope")]
    public async Task Token_ControlCharactersOrBadUtf8_Refused(string parameter, string value, HttpStatusCode status, string error)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Uri.EscapeDataString(server.Bootstrap.ClientId),
            ["client_secret"] = Uri.EscapeDataString(server.Bootstrap.ClientSecret),
            ["scope"] = Uri.EscapeDataString(server.Bootstrap.AdminScope),
            [parameter] = Fill(value),
        };
        var body = string.Join('&', fields.Select(f => $"{f.Key}={f.Value}"));
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Token)) { Content = RawForm(body) });
        AssertRefused(answer, status, error);
    }

    [Theory]
    [InlineData("client_id=%C3%28")]
    [InlineData("client_id=%00")]
    [InlineData("client_id=%FF%FE")]
    [InlineData("client_id={client}%00&response_type=code")]
    [InlineData("client_id={client}&response_type=code%00")]
    [InlineData("client_id={client}&response_type=code&redirect_uri=https://client.example.com/callback%0D%0ASet-Cookie:%20a=b")]
    [InlineData("client_id={client}&response_type=code&redirect_uri=%C3%28")]
    [InlineData("client_id={client}&response_type=code&redirect_uri=javascript:alert(1)")]
    [InlineData("client_id={client}&response_type=code&redirect_uri=https://client.example.com/callback&response_mode=%00")]
    [InlineData("client_id={client}&request=a.b.c")]
    [InlineData("client_id={client}&request_uri=urn:x")]
    public async Task Authorize_ControlCharactersOrBadUtf8_RefusedWithoutRedirect(string query)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(Authorize) + "?" + query.Replace("{client}", client.ClientId, StringComparison.Ordinal)));
        var (error, _) = AssertRefused(answer, HttpStatusCode.BadRequest);
        Assert.Contains(error, new[] { "invalid_request", "unsupported_response_type", "request_not_supported", "request_uri_not_supported" });
        Assert.Null(answer.Location);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("implicit")]
    [InlineData("CLIENT_CREDENTIALS")]
    [InlineData("urn:ietf:params:oauth:grant-type:saml2-bearer")]
    public async Task Token_GrantTypeNotEnabled_400UnsupportedGrantType(string grantType)
    {
        var body = ClientCredentials().Replace("grant_type=client_credentials", "grant_type=" + Uri.EscapeDataString(grantType), StringComparison.Ordinal) +
                   "&device_code=abc&assertion=a.b.c&subject_token=a.b.c";
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Token)) { Content = RawForm(body) });
        AssertRefused(answer, HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Fact]
    public async Task Token_PasswordGrant_400WithTessera2002()
    {
        var body = ClientCredentials().Replace("grant_type=client_credentials", "grant_type=password", StringComparison.Ordinal) + "&username=a&password=b";
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Token)) { Content = RawForm(body) });
        AssertRefused(answer, HttpStatusCode.BadRequest, "unsupported_grant_type", "TSR2002");
    }

    [Theory]
    [MemberData(nameof(GarbageGrantsAndAssertions))]
    public async Task Token_GarbageCodeRefreshTokenOrAssertion_Refused(string parameter, string shape)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        var garbage = Garbage(shape, client.ClientId);
        var body = parameter switch
        {
            "code" => $"grant_type=authorization_code&code={garbage}&code_verifier={Pkce.Create().Verifier}&redirect_uri={Uri.EscapeDataString(client.Redirect)}" +
                      $"&client_id={client.ClientId}&client_secret={Uri.EscapeDataString(client.Secret!)}",
            "refresh_token" => $"grant_type=refresh_token&refresh_token={garbage}&client_id={client.ClientId}&client_secret={Uri.EscapeDataString(client.Secret!)}",
            _ => $"grant_type=client_credentials&scope={Uri.EscapeDataString(server.Bootstrap.AdminScope)}&client_id={client.ClientId}" +
                 $"&client_assertion_type={Uri.EscapeDataString("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")}&client_assertion={garbage}",
        };
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Token)) { Content = RawForm(body) });
        if (shape == "NUL")
        {
            AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request", "TSR2025");
        }
        else if (parameter == "client_assertion")
        {
            AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_client");
        }
        else
        {
            AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_grant");
        }
    }

    [Theory]
    [InlineData(Token, HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData(Revoke, HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData(Introspect, HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData(Authorize, HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData(Logout, HttpStatusCode.BadRequest, "invalid_request")]
    public async Task Endpoint_ClientIdOf10KB_Refused(string endpoint, HttpStatusCode status, string error)
    {
        var clientId = new string('a', 10 * 1024);
        var request = endpoint is Authorize or Logout
            ? new HttpRequestMessage(HttpMethod.Get, Url(endpoint) + $"?client_id={clientId}&response_type=code&redirect_uri=https://x.example/&scope=openid")
            : new HttpRequestMessage(HttpMethod.Post, Url(endpoint))
            {
                Content = RawForm($"grant_type=client_credentials&token=abc&scope={Uri.EscapeDataString(server.Bootstrap.AdminScope)}&client_id={clientId}&client_secret=x"),
            };
        var answer = await SendAsync(request);
        AssertRefused(answer, status, error);
    }

    [Theory]
    [InlineData("Basic !!!notbase64!!!", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("Basic bm9jb2xvbg==", HttpStatusCode.BadRequest, "invalid_request")] // "nocolon"
    [InlineData("Basic Og==", HttpStatusCode.BadRequest, "invalid_request")] // ":"
    [InlineData("Basic ", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("Basic //46AA==", HttpStatusCode.Unauthorized, "invalid_client")] // 0xFF 0xFE ':' NUL
    [InlineData("Basic {client-wrong-secret}", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("Basic {client-10KB-secret}", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("Bearer a.b.c", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("Digest username=\"x\"", HttpStatusCode.BadRequest, "invalid_request")]
    public async Task Token_MalformedAuthorizationHeader_Refused(string header, HttpStatusCode status, string error)
    {
        var value = header
            .Replace("{client-wrong-secret}", Convert.ToBase64String(Encoding.UTF8.GetBytes(server.Bootstrap.ClientId + ":wrong")), StringComparison.Ordinal)
            .Replace("{client-10KB-secret}", Convert.ToBase64String(Encoding.UTF8.GetBytes(server.Bootstrap.ClientId + ":" + new string('s', 10 * 1024))), StringComparison.Ordinal);
        var request = new HttpRequestMessage(HttpMethod.Post, Url(Token))
        {
            Content = RawForm($"grant_type=client_credentials&scope={Uri.EscapeDataString(server.Bootstrap.AdminScope)}"),
        };
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", value));
        var answer = await SendAsync(request);
        AssertRefused(answer, status, error);
    }

    [Fact]
    public async Task Token_BasicAndFormCredentialsTogether_400InvalidRequest()
    {
        // RFC 6749 §2.3: a client MUST NOT use more than one authentication method in each request.
        var request = new HttpRequestMessage(HttpMethod.Post, Url(Token)) { Content = RawForm(ClientCredentials()) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{server.Bootstrap.ClientId}:{server.Bootstrap.ClientSecret}")));
        var answer = await SendAsync(request);
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("alg none JWT")]
    [InlineData("%%%")]
    [InlineData("20 KB")]
    public async Task UserInfo_GarbageBearerToken_401InvalidToken(string shape)
    {
        var token = shape switch
        {
            "alg none JWT" => AlgNoneJwt(server.Authority, "x"),
            "20 KB" => new string('x', 20 * 1024),
            _ => shape,
        };
        var request = new HttpRequestMessage(HttpMethod.Get, Url(UserInfo));
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));
        var answer = await SendAsync(request);

        // RFC 6750 §3: a resource's errors travel in the WWW-Authenticate header; the body stays empty.
        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.StartsWith("Bearer ", answer.Challenge, StringComparison.Ordinal);
    }

    // ---- Revocation and introspection: where 200 is the right answer -------------------------------------------

    [Theory]
    [InlineData("garbage", "")]
    [InlineData("a.b.c", "refresh_token")]
    [InlineData("alg none JWT", "access_token")]
    [InlineData("10 KB", "bogus_hint")]
    public async Task Revoke_UnknownTokenFromAuthenticatedClient_200PerRfc7009(string shape, string hint)
    {
        // RFC 7009 §2.2: "invalid tokens do not cause an error response", so that clients cannot probe for tokens.
        var body = $"token={Garbage(shape, server.Bootstrap.ClientId)}&token_type_hint={hint}&" + ClientAuthentication();
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Revoke)) { Content = RawForm(body) });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        AssertNoStackTrace(answer);
    }

    [Theory]
    [InlineData("garbage", "")]
    [InlineData("a.b.c", "refresh_token")]
    [InlineData("alg none JWT", "access_token")]
    [InlineData("10 KB", "bogus_hint")]
    public async Task Introspect_GarbageFromConfidentialClient_ActiveFalsePerRfc7662(string shape, string hint)
    {
        // RFC 7662 §2.2: a token that is not active is answered with {"active": false}, not an error.
        var body = $"token={Garbage(shape, server.Bootstrap.ClientId)}&token_type_hint={hint}&" + ClientAuthentication();
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(Introspect)) { Content = RawForm(body) });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(JsonDocument.Parse(answer.Body).RootElement.GetProperty("active").GetBoolean());
    }

    [Theory]
    [InlineData(Revoke, "")]
    [InlineData(Revoke, "client_id={client}&client_secret=wrong")]
    [InlineData(Introspect, "")]
    [InlineData(Introspect, "client_id={client}&client_secret=wrong")]
    public async Task RevokeOrIntrospect_UnauthenticatedClient_401InvalidClient(string endpoint, string authentication)
    {
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = RawForm("token=garbage&" + Fill(authentication)) });
        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_client");
    }

    // ---- Tenants, hosts and paths -------------------------------------------------------------------------------

    [Theory]
    [InlineData("/%2e%2e/" + Discovery, HttpStatusCode.BadRequest, "invalid_request")] // normalised to /v2.0/...: 'v2.0' names no tenant
    [InlineData("/..%2f/" + Discovery, HttpStatusCode.NotFound, "not_found")]
    [InlineData("/{long-domain}/" + Discovery, HttpStatusCode.NotFound, "not_found")]
    [InlineData("/00000000-0000-0000-0000-000000000000/" + Discovery, HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("/con./" + Discovery, HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("/a..b/" + Discovery, HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("/%C3%28.example/" + Discovery, HttpStatusCode.NotFound, "not_found")]
    [InlineData("/{tenant}%2f../" + Discovery, HttpStatusCode.NotFound, "not_found")]
    [InlineData("/00000000-0000-0000-0000-000000000000/" + SignIn, HttpStatusCode.BadRequest, "invalid_request")]
    public async Task TenantSegment_Weird_Refused(string target, HttpStatusCode status, string error)
    {
        var answer = await SendRawAsync("GET", Fill(target).Replace("{long-domain}", string.Join('.', Enumerable.Repeat(new string('a', 59), 5)), StringComparison.Ordinal));
        AssertRefused(answer, status, error);
    }

    [Fact]
    public async Task TenantSegment_Nul_400FromKestrel()
    {
        // Kestrel refuses a NUL in the path before any of Tessera's code runs: no body to shape.
        var answer = await SendRawAsync("GET", "/%00/" + Discovery);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        AssertNoStackTrace(answer);
    }

    [Theory]
    [InlineData("POST", "/" + Token)]
    [InlineData("POST", "/%2e%2e/" + Token)]
    [InlineData("GET", "/" + Authorize)]
    [InlineData("POST", "/" + Revoke)]
    [InlineData("POST", "/" + Introspect)]
    [InlineData("GET", "/" + UserInfo)]
    [InlineData("GET", "/" + Logout)]
    [InlineData("GET", "/" + Keys)]
    [InlineData("GET", "/" + SignIn)]
    [InlineData("GET", "/" + Consent)]
    public async Task ProtocolEndpoint_WithoutTenant_404NotFound(string method, string path)
    {
        // Requests that would pass every protocol check if they had a tenant: without one the endpoints do not exist.
        var client = await CodeFlowClient.RegisterAsync(server);
        var query = client.AuthorizeUrl(Pkce.Create());
        var target = path + (method == "GET" ? query[query.IndexOf('?', StringComparison.Ordinal)..] : string.Empty);
        var body = method == "POST" ? ClientCredentials() + "&token=garbage" : null;
        var answer = await SendRawAsync(method, target, body: body);
        AssertRefused(answer, HttpStatusCode.NotFound, "not_found", "TSR2020");
    }

    [Theory]
    [InlineData("", "TSR2026")]
    [InlineData("{long}", "TSR2026")]
    [InlineData("evil.example:99999", "TSR2026")]
    [InlineData("xn--", "TSR2026")]
    [InlineData(".", "TSR2026")]
    [InlineData("a b", null)]
    [InlineData("[::1", null)]
    [InlineData("%00", null)]
    [InlineData("127.0.0.1:1:2", null)]
    public async Task HostHeader_Malformed_400(string host, string? code)
    {
        host = host.Replace("{long}", new string('a', 8000) + ".example", StringComparison.Ordinal);
        foreach (var (method, endpoint, body) in new[] { ("GET", Discovery, (string?)null), ("POST", Token, ClientCredentials()) })
        {
            var answer = await SendRawAsync(method, $"/{server.TenantId:D}/{endpoint}", host, body);
            if (code is null)
            {
                // Kestrel refuses these hosts itself (RFC 9112 §3.2), before any of Tessera's code runs.
                Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
                AssertNoStackTrace(answer);
            }
            else
            {
                AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request", code);
            }
        }
    }

    [Theory]
    [InlineData("GET", "nothing/here")]
    [InlineData("POST", "oauth2/v2.0/nothing")]
    [InlineData("GET", "oauth2/v2.0/token/extra")]
    [InlineData("GET", "account/nothing")]
    [InlineData("GET", ".env")]
    [InlineData("GET", "oauth2/v2.0/authorize.php")]
    [InlineData("DELETE", "v2.0")]
    public async Task UnknownPath_UnderTenant_404NotFound(string method, string path)
    {
        var answer = await SendAsync(new HttpRequestMessage(new HttpMethod(method), Url(path)) { Content = method == "GET" ? null : RawForm("a=b") });
        AssertRefused(answer, HttpStatusCode.NotFound, "not_found", "TSR2020");
    }

    // ---- Pages ----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("http:evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/00000000-0000-0000-0000-000000000000/account/signedin")]
    [InlineData("%C3%28")]
    public async Task SignIn_ReturnUrlOffSite_LandsOnTenantSignedInPage(string returnUrl)
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        var page = await browser.SendAsync(HttpMethod.Get, $"{Url(SignIn)}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var echoed = WebUtility.HtmlDecode(ReturnUrlField().Match(html).Groups[1].Value);

        var response = await browser.SendAsync(HttpMethod.Post, Url(SignIn),
            [new("UserName", user.UserName!), new("Password", TestDirectory.Password), new("ReturnUrl", echoed), new("__RequestVerificationToken", AntiforgeryToken(html))]);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/{server.TenantId:D}/account/signedin", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task SignIn_NulInReturnUrl_RefusedAndNobodySignedIn()
    {
        // NUL is refused wherever it appears, before the page runs: in the query and in the posted form.
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        AssertRefused(await ReadAsync(await browser.SendAsync(HttpMethod.Get, $"{Url(SignIn)}?returnUrl=%00")), HttpStatusCode.BadRequest, "invalid_request", "TSR2036");
        var html = await (await browser.SendAsync(HttpMethod.Get, Url(SignIn))).Content.ReadAsStringAsync();
        var response = await browser.SendAsync(HttpMethod.Post, Url(SignIn),
            [new("UserName", user.UserName!), new("Password", TestDirectory.Password), new("ReturnUrl", "\0"), new("__RequestVerificationToken", AntiforgeryToken(html))]);
        // ASP.NET Core's form reader refuses the encoded NUL itself: a malformed form.
        AssertRefused(await ReadAsync(response), HttpStatusCode.BadRequest, "invalid_request", "TSR2025");
        Assert.DoesNotContain(browser.Cookies.Keys, name => name == "__Host-tessera.session");
    }

    [Theory]
    [InlineData("https://evil.example/", "accept")]
    [InlineData("//evil.example/", "deny")]
    [InlineData("/{tenant}/oauth2/v2.0/authorize?client_id={random-guid}&scope=openid", "accept")]
    [InlineData("/{tenant}/oauth2/v2.0/authorize?client_id=not-a-guid&scope=openid", "accept")]
    [InlineData("/{tenant}/oauth2/v2.0/authorize?client_id={other-tenant-client}&scope=openid", "accept")]
    [InlineData("/{tenant}/oauth2/v2.0/authorize?client_id={other-tenant-client}&scope=openid", "deny")]
    public async Task Consent_ForgedReturnUrl_NoGrantAndNoOffSiteRedirect(string returnUrl, string decision)
    {
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        var signedIn = await browser.AuthorizeAsync(Url(SignIn), user.UserName);
        Assert.Equal($"{server.TenantBase}/account/signedin", signedIn.LastResponse.RequestMessage!.RequestUri!.ToString());

        var other = await server.Directory.CreateTenantAsync($"t{Guid.NewGuid():N}"[..12] + ".example");
        var foreign = await other.RegisterAsync(new NewApplication("foreign") { RedirectUris = [CodeFlowClient.RedirectUri] });
        var forged = Fill(returnUrl)
            .Replace("{random-guid}", Guid.NewGuid().ToString("D"), StringComparison.Ordinal)
            .Replace("{other-tenant-client}", foreign.AppId.ToString("D"), StringComparison.Ordinal);

        // The sign-in page carries a request token for the signed-in user, good for any form of this site.
        var form = await (await browser.SendAsync(HttpMethod.Get, Url(SignIn))).Content.ReadAsStringAsync();
        var before = await CountRowsAsync();
        var view = await browser.SendAsync(HttpMethod.Get, $"{Url(Consent)}?returnUrl={Uri.EscapeDataString(forged)}");
        var post = await browser.SendAsync(HttpMethod.Post, Url(Consent),
            [new("decision", decision), new("ReturnUrl", forged), new("__RequestVerificationToken", AntiforgeryToken(form))]);

        foreach (var response in new[] { view, post })
        {
            var answer = await ReadAsync(response);
            Assert.True((int)answer.Status < 400, $"{response.RequestMessage!.Method} consent: {(int)answer.Status}: {answer.Body}");
            AssertStaysOnServer(answer);
        }

        Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task Authorize_LocalError_BodyIsJsonOrHtml()
    {
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(Authorize) + "?client_id=%C3%28"));
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains(answer.MediaType, new[] { "application/json", "text/html" });
    }

    // ---- Helpers --------------------------------------------------------------------------------------------------

    private string Url(string endpoint) => $"{server.TenantBase}/{endpoint}";

    private string ClientAuthentication()
        => $"client_id={Uri.EscapeDataString(server.Bootstrap.ClientId)}&client_secret={Uri.EscapeDataString(server.Bootstrap.ClientSecret)}";

    private string ClientCredentials()
        => $"grant_type=client_credentials&scope={Uri.EscapeDataString(server.Bootstrap.AdminScope)}&" + ClientAuthentication();

    private string Fill(string template)
        => template
            .Replace("{client}", Uri.EscapeDataString(server.Bootstrap.ClientId), StringComparison.Ordinal)
            .Replace("{secret}", Uri.EscapeDataString(server.Bootstrap.ClientSecret), StringComparison.Ordinal)
            .Replace("{scope}", Uri.EscapeDataString(server.Bootstrap.AdminScope), StringComparison.Ordinal)
            .Replace("{tenant}", server.TenantId.ToString("D"), StringComparison.Ordinal);

    /// <summary>A form body sent byte for byte as written: the percent-encoding is the test's, not HttpClient's.</summary>
    private static ByteArrayContent RawForm(string body)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(FormType);
        return content;
    }

    /// <summary>A bad value for a token-shaped parameter, already percent-encoded.</summary>
    private string Garbage(string shape, string clientId) => shape switch
    {
        // Every byte but NUL: control characters and invalid UTF-8 included; deterministic, so a failure reproduces.
        "random bytes" => string.Concat(Enumerable.Range(1, 255).Select(b => "%" + b.ToString("X2", CultureInfo.InvariantCulture))),
        "random base64url" => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(48)),
        "alg none JWT" => AlgNoneJwt(clientId, Url(Token)),
        "10 KB" => new string('A', 10 * 1024),
        "NUL" => "abc%00def",
        _ => Uri.EscapeDataString(shape),
    };

    private static string AlgNoneJwt(string subject, string audience)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
        var expires = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(new { iss = subject, sub = subject, aud = audience, exp = expires, jti = Guid.NewGuid() })}.";
    }

    private static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryField().Match(html);
        Assert.True(match.Success, "The page has no anti-forgery token.");
        return match.Groups[1].Value;
    }

    /// <summary>Sends the request and checks that nothing was written while it was answered.</summary>
    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        var before = await CountRowsAsync();
        using var http = server.CreateHttpClient();
        Answer answer;
        using (request)
        {
            using var response = await http.SendAsync(request);
            answer = await ReadAsync(response);
        }

        Assert.Equal(before, await CountRowsAsync());
        return answer;
    }

    /// <summary>
    /// An HTTP/1.1 request written on a socket, for what HttpClient would normalise or refuse to send: encoded dot
    /// segments, NUL in the path, empty or malformed Host headers.
    /// </summary>
    private async Task<Answer> SendRawAsync(string method, string target, string? host = null, string? body = null)
    {
        var before = await CountRowsAsync();
        var origin = new Uri(server.Origin);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(origin.Host, origin.Port);
        var stream = tcp.GetStream();
        var content = Encoding.ASCII.GetBytes(body ?? string.Empty);
        var head = $"{method} {target} HTTP/1.1\r\nHost: {host ?? origin.Authority}\r\nConnection: close\r\n" +
                   (body is null ? string.Empty : $"Content-Type: {FormType}\r\nContent-Length: {content.Length.ToString(CultureInfo.InvariantCulture)}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
        await stream.WriteAsync(content);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        Assert.Equal(before, await CountRowsAsync());
        return Answer.Parse(received.ToArray());
    }

    private static async Task<Answer> ReadAsync(HttpResponseMessage response)
        => new(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            response.Headers.WwwAuthenticate.Count > 0 ? response.Headers.WwwAuthenticate.ToString() : null, response.Headers.Location);

    /// <summary>The rule: the status, a standard OAuth error with a sentence, no stack trace. Returns the error.</summary>
    private static (string Error, string Description) AssertRefused(Answer answer, HttpStatusCode status, string? error = null, string? code = null)
    {
        Assert.True(answer.Status == status, $"Expected {(int)status}, got {(int)answer.Status} ({answer.MediaType}): {answer.Body} {answer.Challenge}");
        AssertNoStackTrace(answer);
        var (actual, description) = ErrorOf(answer);
        Assert.True(actual is not null && StandardErrors.Contains(actual), $"No standard OAuth error in {answer.MediaType}: {answer.Body} {answer.Challenge}");
        Assert.True(description is not null && description.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 4, $"No sentence: '{description}'");
        if (error is not null)
        {
            Assert.Equal(error, actual);
        }

        if (code is not null)
        {
            Assert.StartsWith(code + ":", description, StringComparison.Ordinal);
        }

        return (actual!, description!);
    }

    private static (string? Error, string? Description) ErrorOf(Answer answer)
    {
        switch (answer.MediaType)
        {
            case "application/json":
                var json = JsonDocument.Parse(answer.Body).RootElement;
                return (json.TryGetProperty("error", out var e) ? e.GetString() : null,
                    json.TryGetProperty("error_description", out var d) ? d.GetString() : null);

            // The page for authorization and end-session errors that cannot go back to the client.
            case "text/html":
                var error = ErrorPageField().Match(answer.Body);
                var sentence = ErrorPageSentence().Match(answer.Body);
                return (error.Success ? WebUtility.HtmlDecode(error.Groups[1].Value) : null, sentence.Success ? WebUtility.HtmlDecode(sentence.Groups[1].Value) : null);

            // RFC 6750 §3: protected resources (userinfo) answer in the WWW-Authenticate header.
            case null when answer.Challenge is not null:
                var parameters = ChallengeParameter().Matches(answer.Challenge).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
                return (parameters.GetValueOrDefault("error"), parameters.GetValueOrDefault("error_description"));

            default:
                return (null, null);
        }
    }

    private static void AssertNoStackTrace(Answer answer)
    {
        foreach (var marker in StackTraceMarkers)
        {
            Assert.False(answer.Body.Contains(marker, StringComparison.Ordinal) || (answer.Challenge?.Contains(marker, StringComparison.Ordinal) ?? false),
                $"'{marker}' in the answer: {answer.Body} {answer.Challenge}");
        }
    }

    private void AssertStaysOnServer(Answer answer)
    {
        if (answer.Location is { } location)
        {
            var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri(server.Origin), location);
            Assert.Equal(server.Origin, absolute.GetLeftPart(UriPartial.Authority));
        }
    }

    private Task<Rows> CountRowsAsync() => server.Directory.QueryAsync(async db => new Rows(
        await db.Set<OpenIddictEntityFrameworkCoreToken>().CountAsync(),
        await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().CountAsync(),
        await db.Set<OpenIddictEntityFrameworkCoreApplication>().CountAsync(),
        await db.Applications.CountAsync(),
        await db.Users.CountAsync()));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("type=\"hidden\" id=\"ReturnUrl\" name=\"ReturnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();

    [GeneratedRegex("([a-z_]+)=\"([^\"]*)\"")]
    private static partial Regex ChallengeParameter();

    [GeneratedRegex("<code id=\"error\">([^<]*)</code>")]
    private static partial Regex ErrorPageField();

    [GeneratedRegex("<span id=\"error_description\">([^<]*)</span>")]
    private static partial Regex ErrorPageSentence();

    private sealed record Rows(int Tokens, int Authorizations, int Clients, int Applications, int Users);

    /// <summary>What came back, from HttpClient or from a raw socket.</summary>
    private sealed record Answer(HttpStatusCode Status, string? MediaType, string Body, string? Challenge, Uri? Location)
    {
        public static Answer Parse(byte[] response)
        {
            var split = response.AsSpan().IndexOf("\r\n\r\n"u8);
            var head = Encoding.ASCII.GetString(response, 0, split < 0 ? response.Length : split).Split("\r\n");
            var body = split < 0 ? [] : response[(split + 4)..];
            var headers = head.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
            if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                body = Dechunk(body);
            }

            return new Answer(
                (HttpStatusCode)int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture),
                headers.TryGetValue("Content-Type", out var type) ? type.Split(';')[0].Trim() : null,
                Encoding.UTF8.GetString(body),
                headers.GetValueOrDefault("WWW-Authenticate"),
                headers.TryGetValue("Location", out var location) ? new Uri(location, UriKind.RelativeOrAbsolute) : null);
        }

        private static byte[] Dechunk(byte[] chunked)
        {
            using var body = new MemoryStream();
            var position = 0;
            while (position < chunked.Length)
            {
                var lineEnd = chunked.AsSpan(position).IndexOf("\r\n"u8);
                var size = int.Parse(Encoding.ASCII.GetString(chunked, position, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    break;
                }

                body.Write(chunked, position + lineEnd + 2, size);
                position += lineEnd + 2 + size + 2;
            }

            return body.ToArray();
        }
    }
}
