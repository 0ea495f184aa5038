using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Tessera.Policy.Errors;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Mutual TLS configuration: a certificate forwarded by a configured proxy authenticates the client and binds its token;
/// from any other address the header is ignored; settings that cannot work stop the start with a numbered sentence.
/// </summary>
public sealed class MutualTlsConfigurationTests
{
    private const string Header = "X-Client-Cert";

    private static async Task<T> WithServerAsync<T>(string[] extra, Func<TesseraApp, Task<T>> use)
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var app = await TesseraServerFixture.StartServerAsync(data, TestStorage.NewConnectionArguments(), extra);
        try
        {
            return await use(app);
        }
        finally
        {
            await app.DisposeAsync();
            System.IO.Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<TokenResponse> ForwardedTokenAsync(TesseraApp app, X509Certificate2 certificate)
    {
        var directory = new TestDirectory(app.Web.Services, app.FirstTenantId);
        var api = await directory.RegisterApiAsync("api://forwarded-" + Guid.NewGuid().ToString("N")[..8]);
        var daemon = await directory.RegisterAsync(new Directory.NewApplication("forwarded daemon"));
        await directory.AddCertificateAsync(daemon.AppId, certificate);
        await directory.QueryAsync(db => db.Applications.Where(a => a.AppId == daemon.AppId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.TlsClientCertificateBoundAccessTokens, true)));

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{app.Origin}/{app.FirstTenantId:D}/oauth2/v2.0/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = daemon.AppId.ToString(),
                ["scope"] = api.AppId + "/.default",
            }),
        };
        request.Headers.Add(Header, Convert.ToBase64String(certificate.RawData));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new TokenResponse(response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), body);
    }

    [Fact]
    public async Task ForwardedCertificate_FromKnownProxy_AuthenticatesAndBinds()
    {
        using var certificate = CertificateRotationTests.NewCertificate("behind a proxy");
        var token = await WithServerAsync(
            [$"--Tessera:Mtls:ForwardedCertificate:Header={Header}", "--Tessera:Mtls:ForwardedCertificate:KnownProxies:0=127.0.0.1"],
            app => ForwardedTokenAsync(app, certificate));

        token.AssertSuccess();
        Assert.True(token.Access.TryGetPayloadValue<JsonElement>("cnf", out var cnf));
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData)), cnf.GetProperty("x5t#S256").GetString());
    }

    [Fact]
    public async Task ForwardedCertificate_FromAnyoneElse_Ignored()
    {
        using var certificate = CertificateRotationTests.NewCertificate("spoofed header");
        var token = await WithServerAsync(
            [$"--Tessera:Mtls:ForwardedCertificate:Header={Header}", "--Tessera:Mtls:ForwardedCertificate:KnownProxies:0=192.0.2.10"],
            app => ForwardedTokenAsync(app, certificate));

        token.AssertError("invalid_client", "TSR8205");
    }

    [Theory]
    [InlineData("TSR8208", new[] { "--Tessera:Mtls:Port=44300" })]
    [InlineData("TSR8203", new[] { "--Tessera:Mtls:Port=44300", "--Tessera:PublicOrigin=https://id.example.com" })]
    [InlineData("TSR8204", new[] { "--Tessera:Mtls:ForwardedCertificate:Header=X-Client-Cert" })]
    [InlineData("TSR8204", new[] { "--Tessera:Mtls:ForwardedCertificate:Header=X-Client-Cert", "--Tessera:Mtls:ForwardedCertificate:KnownProxies:0=proxy.example.com" })]
    public async Task Misconfigured_StartRefused(string code, string[] extra)
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var refused = await Assert.ThrowsAsync<TesseraConfigurationException>(() => TesseraServerFixture.StartServerAsync(data, TestStorage.NewConnectionArguments(), extra));
            Assert.StartsWith(code, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (System.IO.Directory.Exists(data))
            {
                System.IO.Directory.Delete(data, recursive: true);
            }
        }
    }
}
