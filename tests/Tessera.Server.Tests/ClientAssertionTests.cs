using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class ClientAssertionTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private static X509Certificate2 NewCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=daemon", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
    }

    private string Assertion(X509Certificate2 certificate, string clientId, string? audience = null, DateTime? expires = null, string? jti = null)
    {
        var key = new X509SecurityKey(certificate);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience ?? server.TokenEndpoint,
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", clientId), new("jti", jti ?? Guid.NewGuid().ToString())]),
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow.AddSeconds(-5),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private async Task<(string ClientId, X509Certificate2 Certificate)> DaemonWithCertificateAsync()
    {
        var daemon = await server.Directory.RegisterAsync(new NewApplication("certificate daemon"));
        var certificate = NewCertificate();
        await server.Directory.AddCertificateAsync(daemon.AppId, certificate);
        return (daemon.AppId.ToString("D"), certificate);
    }

    private Task<TokenResponse> RequestAsync(HttpClient http, string clientId, string assertion)
        => TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", clientId),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
            ("scope", server.Bootstrap.AdminScope));

    [Fact]
    public async Task PrivateKeyJwt_SignedWithRegisteredCertificate_IssuesTokenWithAzpacr2()
    {
        var (clientId, certificate) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        var response = await RequestAsync(http, clientId, Assertion(certificate, clientId));
        response.AssertSuccess();
        Assert.Equal("2", response.Access.GetClaim("azpacr").Value);
    }

    [Fact]
    public async Task PrivateKeyJwt_UnregisteredCertificate_InvalidClient()
    {
        var (clientId, _) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        (await RequestAsync(http, clientId, Assertion(NewCertificate(), clientId))).AssertError("invalid_client");
    }

    [Fact]
    public async Task PrivateKeyJwt_WrongAudience_InvalidClient()
    {
        var (clientId, certificate) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        (await RequestAsync(http, clientId, Assertion(certificate, clientId, audience: "https://somewhere.else/token"))).AssertError("invalid_client");
    }

    [Fact]
    public async Task PrivateKeyJwt_Expired_InvalidClient()
    {
        var (clientId, certificate) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        var expired = Assertion(certificate, clientId, expires: DateTime.UtcNow.AddMinutes(-10));
        (await RequestAsync(http, clientId, expired)).AssertError("invalid_client");
    }

    [Fact]
    public async Task PrivateKeyJwt_AlgNone_InvalidClient()
    {
        var (clientId, _) = await DaemonWithCertificateAsync();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"iss":"{{clientId}}","sub":"{{clientId}}","aud":"{{server.TokenEndpoint}}","exp":{{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()}},"jti":"x"}""");
        using var http = server.CreateHttpClient();
        var response = await RequestAsync(http, clientId, $"{header}.{payload}.");
        Assert.Contains(response.Error, new[] { "invalid_client", "invalid_request" });
    }

    [Fact]
    public async Task PrivateKeyJwt_IssuedForAnotherClient_InvalidClient()
    {
        var (clientId, certificate) = await DaemonWithCertificateAsync();
        var (otherId, _) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        var response = await RequestAsync(http, otherId, Assertion(certificate, clientId));
        Assert.Contains(response.Error, new[] { "invalid_client", "invalid_grant" });
    }

    [Fact]
    public async Task PrivateKeyJwt_SameAssertionTwice_SecondRefused()
    {
        var (clientId, certificate) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        var assertion = Assertion(certificate, clientId);
        (await RequestAsync(http, clientId, assertion)).AssertSuccess();
        (await RequestAsync(http, clientId, assertion)).AssertError("invalid_client", "TSR2033");
    }

    [Fact]
    public async Task PrivateKeyJwt_ValidForAYear_Refused()
    {
        var (clientId, certificate) = await DaemonWithCertificateAsync();
        using var http = server.CreateHttpClient();
        (await RequestAsync(http, clientId, Assertion(certificate, clientId, expires: DateTime.UtcNow.AddDays(365)))).AssertError("invalid_client", "TSR2032");
    }
}
