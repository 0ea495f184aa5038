using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Policy.Admin;
using Tessera.Server.Directory;

namespace Tessera.Cli.Tests;

public sealed class LoginTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task LoginBootstrap_SavesOwnerOnlySession_WithoutTheSecret()
    {
        var cli = server.NewCli();
        var result = await cli.RunAsync("login", "--bootstrap", server.BootstrapPath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(server.TenantId.ToString("D"), result.Stdout, StringComparison.Ordinal);
        var session = await File.ReadAllTextAsync(cli.SessionPath);
        Assert.DoesNotContain(server.Bootstrap.ClientSecret, session, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(server.BootstrapPath), session, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.SessionPath));
        }
    }

    [Fact]
    public async Task LoginBootstrap_Json_PrintsSessionWithoutToken()
    {
        var cli = server.NewCli();
        var result = await cli.RunAsync("login", "--bootstrap", server.BootstrapPath, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(server.Bootstrap.ClientId, result.Json["clientId"]!.GetValue<string>());
        Assert.Equal($"{server.Origin}/admin/v1/", result.Json["adminApi"]!.GetValue<string>());
        Assert.Null(result.Json["accessToken"]);
    }

    [Fact]
    public async Task Command_CachedToken_ReusedUntilNearExpiry()
    {
        var cli = server.NewCli();
        Assert.Equal(0, (await cli.RunAsync("login", "--bootstrap", server.BootstrapPath)).ExitCode);
        var before = JsonNode.Parse(await File.ReadAllTextAsync(cli.SessionPath))!["token"]!["accessToken"]!.GetValue<string>();

        Assert.Equal(0, (await cli.RunAsync("app", "list")).ExitCode);

        var after = JsonNode.Parse(await File.ReadAllTextAsync(cli.SessionPath))!["token"]!["accessToken"]!.GetValue<string>();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Command_NotSignedIn_ExitTwo()
    {
        var result = await server.NewCli().RunAsync("app", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7001:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task LoginBootstrap_MissingFile_ExitTwo()
    {
        var result = await server.NewCli().RunAsync("login", "--bootstrap", Path.Combine(server.NewFolder(), "nope.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7004:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_BadArguments_ExitTwoWithUsageHint()
    {
        var result = await server.NewCli().RunAsync("login", "--certificate", "x.pfx");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("TSR7003:", line, StringComparison.Ordinal);
        Assert.Contains("tessera login --help", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_ServerUnreachable_ExitFour()
    {
        var result = await server.Cli.RunAsync("app", "list", "--server", "http://127.0.0.1:1");

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("TSR7007:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_PlainHttpToRemoteServer_RefusedBeforeSendingToken()
    {
        var result = await server.Cli.RunAsync("app", "list", "--server", "http://tessera.example.com");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7012:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginCertificate_PrivateKeyJwt_SignsInAndCallsTheApi()
    {
        var (appId, pfx) = await DaemonWithCertificateAsync("correct horse");
        var cli = server.NewCli();
        var environment = new Dictionary<string, string> { ["DAEMON_PFX_PASSWORD"] = "correct horse" };

        var login = await cli.RunAsync(environment, null, "login", "--authority", server.Authority, "--client-id", appId,
            "--certificate", pfx, "--certificate-password-env", "DAEMON_PFX_PASSWORD");
        Assert.True(login.ExitCode == 0, login.ToString());
        var session = await File.ReadAllTextAsync(cli.SessionPath);
        Assert.DoesNotContain("correct horse", session, StringComparison.Ordinal);
        Assert.Contains("DAEMON_PFX_PASSWORD", session, StringComparison.Ordinal);

        // Force a second assertion: the cached token goes, the certificate signs again.
        var json = JsonNode.Parse(session)!.AsObject();
        json.Remove("token");
        await File.WriteAllTextAsync(cli.SessionPath, json.ToJsonString());
        var list = await cli.RunAsync(environment, null, "app", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Json["value"]!.AsArray(), a => a!["appId"]!.GetValue<string>() == appId);
    }

    [Fact]
    public async Task LoginCertificate_NotRegistered_ExitThree()
    {
        var (appId, _) = await DaemonWithCertificateAsync("pw");
        var stranger = Path.Combine(server.NewFolder(), "stranger.pfx");
        using (var certificate = NewCertificate())
        {
            await File.WriteAllBytesAsync(stranger, certificate.Export(X509ContentType.Pfx));
        }

        var result = await server.NewCli().RunAsync("login", "--authority", server.Authority, "--client-id", appId, "--certificate", stranger);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("invalid_client", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginCertificate_PasswordVariableUnset_ExitTwo()
    {
        var (appId, pfx) = await DaemonWithCertificateAsync("pw");
        var result = await server.NewCli().RunAsync("login", "--authority", server.Authority, "--client-id", appId,
            "--certificate", pfx, "--certificate-password-env", "TESSERA_TEST_UNSET_VARIABLE");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7006:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    private static X509Certificate2 NewCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=tessera cli daemon", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>An application with a certificate (uploaded through the admin API) and the admin API's Application.ReadWrite.All.</summary>
    private async Task<(string AppId, string PfxPath)> DaemonWithCertificateAsync(string password)
    {
        var created = await server.Cli.RunAsync("app", "create", "--name", "cli daemon " + Guid.NewGuid().ToString("N")[..6], "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Json["id"]!.GetValue<string>();
        var appId = created.Json["appId"]!.GetValue<string>();

        using var certificate = NewCertificate();
        using var http = await server.AdminHttpClientAsync();
        var body = new JsonObject
        {
            ["keyCredentials"] = new JsonArray(new JsonObject
            {
                ["type"] = "AsymmetricX509Cert",
                ["usage"] = "Verify",
                ["key"] = Convert.ToBase64String(certificate.Export(X509ContentType.Cert)),
            }),
        };
        using var patch = await http.PatchAsync($"applications/{id}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());

        var adminApi = await server.AdminApiAppIdAsync();
        await server.WithDatabaseAsync(async (_, services) =>
        {
            await services.GetRequiredService<ApplicationRegistrar>().AssignAppRoleAsync(
                server.TenantId, Guid.Parse(appId), "ServicePrincipal", adminApi, AdminPermissions.ApplicationReadWriteAll, default);
            return true;
        });

        var pfx = Path.Combine(server.NewFolder(), "daemon.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, password));
        return (appId, pfx);
    }
}
