using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.ResourceServer;

namespace Tessera.Server.Tests;

/// <summary>
/// Mutual TLS client authentication and certificate-bound tokens (RFC 8705), end to end: a client with a certificate
/// (HttpClient showing it in the handshake) on the server's mutual TLS port, tokens bound to it, an API protected by the
/// SDK that takes them only with that certificate, refresh, rotation and the per-application setting.
/// </summary>
public sealed class MutualTlsTests(MtlsServerFixture server) : IClassFixture<MtlsServerFixture>
{
    private static string Thumbprint(X509Certificate2 certificate) => Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData));

    private static object Key(X509Certificate2 certificate)
        => new { type = "AsymmetricX509Cert", usage = "Verify", key = Convert.ToBase64String(certificate.Export(X509ContentType.Cert)) };

    /// <summary>A daemon registered through the admin API with <paramref name="certificates"/> and no secret.</summary>
    private async Task<(string Id, string ClientId)> DaemonAsync(AdminClient admin, bool bound, params X509Certificate2[] certificates)
    {
        var (status, app) = await admin.JsonAsync(HttpMethod.Post, "applications", new
        {
            displayName = "mtls daemon " + Guid.NewGuid().ToString("N")[..6],
            keyCredentials = certificates.Select(Key).ToArray(),
            tlsClientCertificateBoundAccessTokens = bound,
        });
        Assert.True(status == HttpStatusCode.Created, app?.ToJsonString());
        return (app!["id"]!.GetValue<string>(), app["appId"]!.GetValue<string>());
    }

    private async Task<TokenResponse> ClientCredentialsAsync(string endpoint, X509Certificate2? certificate, string clientId, string? scope = null)
    {
        using var http = server.CreateHttpClient(certificate);
        return await TokenClient.PostAsync(http, endpoint,
            ("grant_type", "client_credentials"), ("client_id", clientId), ("scope", scope ?? server.Bootstrap.AdminScope));
    }

    private static string? Confirmation(TokenResponse token)
        => token.Access.TryGetPayloadValue<JsonElement>("cnf", out var cnf) ? cnf.GetProperty("x5t#S256").GetString() : null;

    [Fact]
    public async Task Discovery_MtlsConfigured_AdvertisesMethodBoundTokensAndAliases()
    {
        using var http = server.CreateHttpClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync($"{server.Authority}/.well-known/openid-configuration"));
        var root = document.RootElement;

        Assert.Contains("self_signed_tls_client_auth", root.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(m => m.GetString()));
        Assert.True(root.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        Assert.Equal(server.MtlsTokenEndpoint, root.GetProperty("mtls_endpoint_aliases").GetProperty("token_endpoint").GetString());
        Assert.Equal(server.TokenEndpoint, root.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task ClientCredentials_RegisteredCertificateOverMtls_TokenBoundToIt()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var certificate = CertificateRotationTests.NewCertificate("mtls client");
        var (_, clientId) = await DaemonAsync(admin, bound: false, certificate);

        var token = await ClientCredentialsAsync(server.MtlsTokenEndpoint, certificate, clientId);

        token.AssertSuccess();
        Assert.Equal(server.Authority, token.Access.Issuer);
        Assert.Equal(Thumbprint(certificate), Confirmation(token));
    }

    [Fact]
    public async Task ClientCredentials_UnregisteredCertificate_InvalidClient()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var registered = CertificateRotationTests.NewCertificate("registered");
        using var stranger = CertificateRotationTests.NewCertificate("stranger");
        var (_, clientId) = await DaemonAsync(admin, bound: false, registered);

        var token = await ClientCredentialsAsync(server.MtlsTokenEndpoint, stranger, clientId);

        token.AssertError("invalid_client", "TSR8206");
        Assert.Equal(HttpStatusCode.Unauthorized, token.Status);
    }

    [Fact]
    public async Task ClientCredentials_NoCertificate_InvalidClient()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var certificate = CertificateRotationTests.NewCertificate("kept at home");
        var (_, clientId) = await DaemonAsync(admin, bound: true, certificate);

        // Neither on the port that never asks for one (the client would show it: the handshake does not ask), nor on the
        // mutual TLS port without showing one.
        var withoutPort = await ClientCredentialsAsync(server.TokenEndpoint, certificate, clientId);
        var withoutCertificate = await ClientCredentialsAsync(server.MtlsTokenEndpoint, null, clientId);

        withoutPort.AssertError("invalid_client", "TSR8205");
        withoutCertificate.AssertError("invalid_client", "TSR8205");
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCertificate.Status);
    }

    [Fact]
    public async Task MtlsPort_SignInPages_NotServed()
    {
        using var http = server.CreateHttpClient(null);

        using var response = await http.GetAsync($"https://127.0.0.1:{server.MtlsPort}/{server.TenantId:D}/oauth2/v2.0/authorize?client_id=x");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("TSR8212", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCredentials_BoundAppWithSecretOnly_InvalidClientNamesTheAlias()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var certificate = CertificateRotationTests.NewCertificate("bound");
        var (id, clientId) = await DaemonAsync(admin, bound: true, certificate);
        var (_, password) = await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/addPassword", new { passwordCredential = new { displayName = "old habit" } });
        var secret = password!["secretText"]!.GetValue<string>();

        using var http = server.CreateHttpClient();
        var token = await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret), ("scope", server.Bootstrap.AdminScope));

        token.AssertError("invalid_client", "TSR8205");
        Assert.Contains("mtls_endpoint_aliases", token.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BoundToken_AtSdkApi_OnlyWithItsCertificate()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var identifier = "api://bound-" + Guid.NewGuid().ToString("N")[..8];
        var api = await server.Directory.RegisterApiAsync(identifier);
        using var certificate = CertificateRotationTests.NewCertificate("caller");
        using var other = CertificateRotationTests.NewCertificate("other");
        var (_, clientId) = await DaemonAsync(admin, bound: true, certificate);
        var token = await ClientCredentialsAsync(server.MtlsTokenEndpoint, certificate, clientId, api.AppId + "/.default");
        token.AssertSuccess();

        await using var protectedApi = await ProtectedApi.StartAsync(server, o =>
        {
            o.Instance = server.Origin + "/";
            o.TenantId = server.TenantId.ToString();
            o.Audience = identifier;
            o.ClientId = api.AppId.ToString();
        }, tlsCertificate: server.Certificate);

        async Task<HttpResponseMessage> CallAsync(X509Certificate2? shown)
        {
            using var http = server.CreateHttpClient(shown);
            using var request = new HttpRequestMessage(HttpMethod.Get, protectedApi.Address + "/me");
            request.Headers.Authorization = new("Bearer", token.AccessToken);
            return await http.SendAsync(request);
        }

        // The first call puts the token in the SDK's cache; the later ones are served from it and still checked.
        using (var right = await CallAsync(certificate))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        using (var none = await CallAsync(null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            var challenge = none.Headers.WwwAuthenticate.ToString();
            Assert.Contains("invalid_token", challenge, StringComparison.Ordinal);
            Assert.Contains("TSR8209", challenge, StringComparison.Ordinal);
        }

        using (var wrong = await CallAsync(other))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("TSR8213", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var again = await CallAsync(certificate);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Refresh_OverMtls_AnotherCertificateRefused_RegisteredOneBindsTheNewToken()
    {
        using var first = CertificateRotationTests.NewCertificate("web first");
        using var stranger = CertificateRotationTests.NewCertificate("web stranger");
        var client = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.AddCertificateAsync(client.Application.AppId, first);
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();

        using var withFirst = server.CreateHttpClient(first);
        var tokens = await TokenClient.PostAsync(withFirst, server.MtlsTokenEndpoint, ("grant_type", "authorization_code"), ("code", code),
            ("code_verifier", pkce.Verifier), ("redirect_uri", client.Redirect), ("client_id", client.ClientId));
        tokens.AssertSuccess();
        Assert.Equal(Thumbprint(first), Confirmation(tokens));

        using var withStranger = server.CreateHttpClient(stranger);
        var refused = await TokenClient.PostAsync(withStranger, server.MtlsTokenEndpoint,
            ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("client_id", client.ClientId));
        refused.AssertError("invalid_client", "TSR8206");

        var refreshed = await TokenClient.PostAsync(withFirst, server.MtlsTokenEndpoint,
            ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("client_id", client.ClientId));
        refreshed.AssertSuccess();
        Assert.Equal(Thumbprint(first), Confirmation(refreshed));
    }

    [Fact]
    public async Task PublicClient_RefreshTokenBound_OnlyItsCertificateRefreshes()
    {
        using var own = CertificateRotationTests.NewCertificate("native own");
        using var other = CertificateRotationTests.NewCertificate("native other");
        var client = await CodeFlowClient.RegisterAsync(server, confidential: false);
        var user = await server.Directory.CreateUserAsync();
        var (code, pkce, browser) = await client.SignInAsync(user.UserName!);
        browser.Dispose();

        using var withOwn = server.CreateHttpClient(own);
        var tokens = await TokenClient.PostAsync(withOwn, server.MtlsTokenEndpoint, ("grant_type", "authorization_code"), ("code", code),
            ("code_verifier", pkce.Verifier), ("redirect_uri", client.Redirect), ("client_id", client.ClientId));
        tokens.AssertSuccess();
        Assert.Equal(Thumbprint(own), Confirmation(tokens));

        using var withOther = server.CreateHttpClient(other);
        var stolen = await TokenClient.PostAsync(withOther, server.MtlsTokenEndpoint,
            ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("client_id", client.ClientId));
        using var withNone = server.CreateHttpClient(null);
        var bare = await TokenClient.PostAsync(withNone, server.TokenEndpoint,
            ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("client_id", client.ClientId));
        var refreshed = await TokenClient.PostAsync(withOwn, server.MtlsTokenEndpoint,
            ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!), ("client_id", client.ClientId));

        stolen.AssertError("invalid_grant", "TSR8214");
        bare.AssertError("invalid_grant", "TSR8214");
        refreshed.AssertSuccess();
        Assert.Equal(Thumbprint(own), Confirmation(refreshed));
    }

    [Fact]
    public async Task Rotation_TwoCertificatesBothWork_OldOneRefusedOnceRemoved()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var first = CertificateRotationTests.NewCertificate("rotate first");
        using var second = CertificateRotationTests.NewCertificate("rotate second");
        var (id, clientId) = await DaemonAsync(admin, bound: true, first);
        var firstKeyId = (await admin.GetVersionedAsync($"applications/{id}"))["keyCredentials"]![0]!["keyId"]!.GetValue<string>();

        var (added, _) = await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { keyCredentials = new object[] { new { keyId = firstKeyId }, Key(second) } });
        Assert.Equal(HttpStatusCode.NoContent, added);
        var withFirst = await ClientCredentialsAsync(server.MtlsTokenEndpoint, first, clientId);
        var withSecond = await ClientCredentialsAsync(server.MtlsTokenEndpoint, second, clientId);
        withFirst.AssertSuccess();
        withSecond.AssertSuccess();
        Assert.Equal(Thumbprint(first), Confirmation(withFirst));
        Assert.Equal(Thumbprint(second), Confirmation(withSecond));

        var secondKeyId = (await admin.GetVersionedAsync($"applications/{id}"))["keyCredentials"]!.AsArray()
            .Single(k => k!["keyId"]!.GetValue<string>() != firstKeyId)!["keyId"]!.GetValue<string>();
        var (removed, _) = await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { keyCredentials = new object[] { new { keyId = secondKeyId } } });
        Assert.Equal(HttpStatusCode.NoContent, removed);

        (await ClientCredentialsAsync(server.MtlsTokenEndpoint, first, clientId)).AssertError("invalid_client", "TSR8206");
        (await ClientCredentialsAsync(server.MtlsTokenEndpoint, second, clientId)).AssertSuccess();
    }

    [Fact]
    public async Task AdminSetting_ShownAndAudited()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var certificate = CertificateRotationTests.NewCertificate("setting");
        var (id, _) = await DaemonAsync(admin, bound: false, certificate);

        var (status, _) = await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { tlsClientCertificateBoundAccessTokens = true });

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.True((await admin.GetVersionedAsync($"applications/{id}"))["tlsClientCertificateBoundAccessTokens"]!.GetValue<bool>());
        var entries = await AdminAudit.ForTargetAsync(server, id);
        Assert.Contains(entries, e => e["targetResources"]![0]!["modifiedProperties"]!.AsArray()
            .Any(p => p!["displayName"]!.GetValue<string>() == "tlsClientCertificateBoundAccessTokens" && p["newValue"]!.ToJsonString().Contains("True", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AdminSetting_BadInput_RefusedAndNothingWritten()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var certificate = CertificateRotationTests.NewCertificate("bad input");

        // Not a boolean.
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3018", await admin.JsonAsync(HttpMethod.Post, "applications",
            new { displayName = "bad", tlsClientCertificateBoundAccessTokens = "yes" }));

        // On, with no certificate to authenticate with.
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR8207", await admin.JsonAsync(HttpMethod.Post, "applications",
            new { displayName = "locked out", tlsClientCertificateBoundAccessTokens = true }));

        // Removing the last certificate while it is on.
        var (id, _) = await DaemonAsync(admin, bound: true, certificate);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR8207", await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}",
            new { keyCredentials = Array.Empty<object>() }));
        var after = await admin.GetVersionedAsync($"applications/{id}");
        Assert.Single(after["keyCredentials"]!.AsArray());
        Assert.True(after["tlsClientCertificateBoundAccessTokens"]!.GetValue<bool>());
    }
}
