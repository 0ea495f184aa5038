using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Rotation of a daemon's certificate with overlap: a second certificate is added beside the first, the client switches
/// to it while requests run, the first is removed; no request fails at any step, and the old certificate is refused
/// once removed.
/// </summary>
public sealed class CertificateRotationTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    /// <summary>A self-signed client certificate with its key, usable for client assertions and as a TLS client certificate.</summary>
    internal static X509Certificate2 NewCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private string Assertion(X509Certificate2 certificate, string clientId)
        => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = server.TokenEndpoint,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString() },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new X509SecurityKey(certificate), SecurityAlgorithms.RsaSha256),
        });

    private async Task<TokenResponse> RequestAsync(HttpClient http, X509Certificate2 certificate, string clientId)
        => await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", clientId),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", Assertion(certificate, clientId)),
            ("scope", server.Bootstrap.AdminScope));

    private static object Key(X509Certificate2 certificate)
        => new { type = "AsymmetricX509Cert", usage = "Verify", key = Convert.ToBase64String(certificate.Export(X509ContentType.Cert)) };

    [Fact]
    public async Task TwoCertificatesOverlap_ClientSwitchesWhileRequestsRun_NoRequestFails()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var first = NewCertificate("first");
        using var second = NewCertificate("second");
        var (_, app) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "rotating daemon", keyCredentials = new[] { Key(first) } });
        var id = app!["id"]!.GetValue<string>();
        var clientId = app["appId"]!.GetValue<string>();
        var firstKeyId = app["keyCredentials"]![0]!["keyId"]!.GetValue<string>();

        var current = first;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var served = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            using var http = server.CreateHttpClient();
            while (!stop.IsCancellationRequested)
            {
                var response = await RequestAsync(http, Volatile.Read(ref current), clientId);
                if (response.Status != HttpStatusCode.OK)
                {
                    failures.Enqueue(response.Body);
                }

                Interlocked.Increment(ref served);
            }
        });

        async Task RunMoreAsync(int count)
        {
            var target = Volatile.Read(ref served) + count;
            while (Volatile.Read(ref served) < target && !load.IsCompleted)
            {
                await Task.Delay(5);
            }
        }

        await RunMoreAsync(5);

        // 1. Both certificates trusted.
        var (added, _) = await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { keyCredentials = new object[] { new { keyId = firstKeyId }, Key(second) } });
        Assert.Equal(HttpStatusCode.NoContent, added);
        await RunMoreAsync(5);

        // 2. The client switches to the new certificate.
        Volatile.Write(ref current, second);
        await RunMoreAsync(5);

        // 3. The old certificate is removed.
        var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"applications/{id}");
        var secondKeyId = read!["keyCredentials"]!.AsArray().Single(k => k!["keyId"]!.GetValue<string>() != firstKeyId)!["keyId"]!.GetValue<string>();
        var (removed, _) = await admin.JsonAsync(HttpMethod.Patch, $"applications/{id}", new { keyCredentials = new object[] { new { keyId = secondKeyId } } });
        Assert.Equal(HttpStatusCode.NoContent, removed);
        await RunMoreAsync(5);

        await stop.CancelAsync();
        await load;
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(served >= 20);

        using var check = server.CreateHttpClient();
        (await RequestAsync(check, first, clientId)).AssertError("invalid_client");
        (await RequestAsync(check, second, clientId)).AssertSuccess();
    }
}
