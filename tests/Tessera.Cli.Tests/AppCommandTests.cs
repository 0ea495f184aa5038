using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

public sealed class AppCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private async Task<JsonNode> CreateAppAsync(params string[] extra)
    {
        var result = await server.Cli.RunAsync(["app", "create", "--name", "cli app " + Guid.NewGuid().ToString("N")[..8], "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    [Fact]
    public async Task AppCreate_Json_ParsesWithRedirectUris()
    {
        var app = await CreateAppAsync("--web-redirect-uri", "https://app.example.com/signin-oidc", "--web-redirect-uri", "https://app.example.com/other",
            "--spa-redirect-uri", "https://spa.example.com/", "--public-redirect-uri", "http://localhost");

        Assert.Equal(["https://app.example.com/signin-oidc", "https://app.example.com/other"],
            app["web"]!["redirectUris"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal("https://spa.example.com/", app["spa"]!["redirectUris"]![0]!.GetValue<string>());
        Assert.Equal("http://localhost", app["publicClient"]!["redirectUris"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task AppCreate_Table_ShowsIdsAndNextStep()
    {
        var name = "table app " + Guid.NewGuid().ToString("N")[..8];
        var result = await server.Cli.RunAsync("app", "create", "--name", name);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(name, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tessera app credential add", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppCreate_HttpRedirectUri_ExitThreeWithTsr3004()
    {
        var result = await server.Cli.RunAsync("app", "create", "--name", "insecure", "--web-redirect-uri", "http://app.example.com/callback");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR3004:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task AppCreate_NameMissing_ExitTwo()
    {
        var result = await server.Cli.RunAsync("app", "create");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppList_ShowsCreatedApp_TableAndJson()
    {
        var app = await CreateAppAsync();
        var appId = app["appId"]!.GetValue<string>();

        var table = await server.Cli.RunAsync("app", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(appId, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("App (client) id", table.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("app", "list", "--json");
        Assert.Contains(json.Json["value"]!.AsArray(), a => a!["appId"]!.GetValue<string>() == appId);
    }

    [Fact]
    public async Task AppList_FilterAndTop()
    {
        var app = await CreateAppAsync();
        var name = app["displayName"]!.GetValue<string>();

        var filtered = await server.Cli.RunAsync("app", "list", "--filter", $"displayName eq '{name}'", "--json");
        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        Assert.Equal(app["id"]!.GetValue<string>(), Assert.Single(filtered.Json["value"]!.AsArray())!["id"]!.GetValue<string>());

        var top = await server.Cli.RunAsync("app", "list", "--top", "1", "--json");
        Assert.Single(top.Json["value"]!.AsArray());
    }

    [Fact]
    public async Task AppList_BadFilter_ExitThreeWithServerCode()
    {
        var result = await server.Cli.RunAsync("app", "list", "--filter", "secret eq 'x'");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppShow_ByObjectIdOrAppId()
    {
        var app = await CreateAppAsync();

        foreach (var key in new[] { "id", "appId" })
        {
            var shown = await server.Cli.RunAsync("app", "show", app[key]!.GetValue<string>(), "--json");
            Assert.True(shown.ExitCode == 0, shown.ToString());
            Assert.Equal(app["id"]!.GetValue<string>(), shown.Json["id"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task AppShow_UnknownId_ExitThreeWithTsrLine()
    {
        var result = await server.Cli.RunAsync("app", "show", Guid.NewGuid().ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.Matches("^TSR\\d{4}: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task AppShow_NotAGuid_ExitTwo()
    {
        var result = await server.Cli.RunAsync("app", "show", "orders");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppDelete_ThenShow_ExitThree()
    {
        var app = await CreateAppAsync();
        var id = app["id"]!.GetValue<string>();

        var deleted = await server.Cli.RunAsync("app", "delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains(id, deleted.Stdout, StringComparison.Ordinal);

        Assert.Equal(3, (await server.Cli.RunAsync("app", "show", id)).ExitCode);
    }

    [Fact]
    public async Task AppDelete_AdminApiRegistration_RefusedWithServerCode()
    {
        var adminApi = await server.AdminApiAppIdAsync();

        var result = await server.Cli.RunAsync("app", "delete", adminApi.ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppCredential_AddListRemove()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var added = await server.Cli.RunAsync("app", "credential", "add", id, "--display-name", "ci", "--end", "30d");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("will not be shown again", added.Stdout, StringComparison.Ordinal);

        var list = await server.Cli.RunAsync("app", "credential", "list", id, "--json");
        var secret = Assert.Single(list.Json["passwordCredentials"]!.AsArray())!;
        var keyId = secret["keyId"]!.GetValue<string>();
        Assert.Null(secret["secretText"]);
        Assert.InRange(secret["daysLeft"]!.GetValue<int>(), 29, 30);
        Assert.Contains(keyId, added.Stdout, StringComparison.Ordinal);

        var table = await server.Cli.RunAsync("app", "credential", "list", id);
        Assert.Contains(keyId, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Days left", table.Stdout, StringComparison.Ordinal);

        var removed = await server.Cli.RunAsync("app", "credential", "remove", id, "--key-id", keyId);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var after = await server.Cli.RunAsync("app", "credential", "list", id, "--json");
        Assert.Empty(after.Json["passwordCredentials"]!.AsArray());
    }

    [Fact]
    public async Task AppCredentialAdd_Json_SecretOnceAndWarningOnStderr()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var added = await server.Cli.RunAsync("app", "credential", "add", id, "--json");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.False(string.IsNullOrEmpty(added.Json["secretText"]!.GetValue<string>()));
        Assert.Contains("will not be shown again", added.Stderr, StringComparison.Ordinal);
        var shown = await server.Cli.RunAsync("app", "show", id, "--json");
        Assert.DoesNotContain(added.Json["secretText"]!.GetValue<string>(), shown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppCredentialList_Expiring_KeepsOnlyThoseEndingInTheWindow()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();
        Assert.Equal(0, (await server.Cli.RunAsync("app", "credential", "add", id, "--display-name", "soon", "--end", "10d")).ExitCode);
        Assert.Equal(0, (await server.Cli.RunAsync("app", "credential", "add", id, "--display-name", "later", "--end", "120d")).ExitCode);

        var expiring = await server.Cli.RunAsync("app", "credential", "list", id, "--expiring", "30d", "--json");

        Assert.True(expiring.ExitCode == 0, expiring.ToString());
        Assert.Equal("soon", Assert.Single(expiring.Json["passwordCredentials"]!.AsArray())!["displayName"]!.GetValue<string>());
        var all = await server.Cli.RunAsync("app", "credential", "list", id, "--json");
        Assert.Equal(2, all.Json["passwordCredentials"]!.AsArray().Count);
    }

    [Fact]
    public async Task AppCredentialList_NoApplication_TenantWideExpiringFromTheServer()
    {
        var app = await CreateAppAsync();
        var id = app["id"]!.GetValue<string>();
        Assert.Equal(0, (await server.Cli.RunAsync("app", "credential", "add", id, "--display-name", "soon", "--end", "10d")).ExitCode);
        Assert.Equal(0, (await server.Cli.RunAsync("app", "credential", "add", id, "--display-name", "later", "--end", "120d")).ExitCode);

        var json = await server.Cli.RunAsync("app", "credential", "list", "--expiring", "30d", "--json");
        var table = await server.Cli.RunAsync("app", "credential", "list", "--expiring", "30d");

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(30, json.Json["withinDays"]!.GetValue<int>());
        var mine = Assert.Single(json.Json["value"]!.AsArray(), c => c!["applicationId"]!.GetValue<string>() == id);
        Assert.Equal("soon", mine!["displayName"]!.GetValue<string>());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(app["displayName"]!.GetValue<string>(), table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("later", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppCredentialAddCertificate_TwoOverlap_ThenOldRemoved()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();
        var folder = Path.Combine(Path.GetTempPath(), "tessera-cli-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        string Write(string name)
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={name}", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(60));
            var path = Path.Combine(folder, name + ".pem");
            File.WriteAllText(path, certificate.ExportCertificatePem());
            return path;
        }

        var first = await server.Cli.RunAsync("app", "credential", "add-certificate", id, "--certificate", Write("old"), "--json");
        var second = await server.Cli.RunAsync("app", "credential", "add-certificate", id, "--certificate", Write("new"), "--display-name", "2027", "--json");
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first + "\n" + second);
        var both = await server.Cli.RunAsync("app", "credential", "list", id, "--json");
        Assert.Equal(2, both.Json["keyCredentials"]!.AsArray().Count);

        var removed = await server.Cli.RunAsync("app", "credential", "remove", id, "--key-id", first.Json["keyId"]!.GetValue<string>());
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var after = await server.Cli.RunAsync("app", "credential", "list", id, "--json");
        Assert.Equal("2027", Assert.Single(after.Json["keyCredentials"]!.AsArray())!["displayName"]!.GetValue<string>());

        var missing = await server.Cli.RunAsync("app", "credential", "add-certificate", id, "--certificate", Path.Combine(folder, "absent.pem"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("TSR7003", missing.ToString(), StringComparison.Ordinal);
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task AppUpdate_CertificateBoundTokens_OnlyWithACertificate()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var refused = await server.Cli.RunAsync("app", "update", id, "--certificate-bound-tokens", "on");
        Assert.Equal(3, refused.ExitCode);
        Assert.StartsWith("TSR8207:", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);

        var folder = Path.Combine(Path.GetTempPath(), "tessera-cli-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=mtls", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(60));
            File.WriteAllText(Path.Combine(folder, "mtls.pem"), certificate.ExportCertificatePem());
        }

        var added = await server.Cli.RunAsync("app", "credential", "add-certificate", id, "--certificate", Path.Combine(folder, "mtls.pem"));
        var on = await server.Cli.RunAsync("app", "update", id, "--certificate-bound-tokens", "on", "--json");
        var shown = await server.Cli.RunAsync("app", "show", id);
        var invalid = await server.Cli.RunAsync("app", "update", id, "--certificate-bound-tokens", "maybe");
        System.IO.Directory.Delete(folder, recursive: true);

        Assert.True(added.ExitCode == 0 && on.ExitCode == 0, added + "\n" + on);
        Assert.True(on.Json["tlsClientCertificateBoundAccessTokens"]!.GetValue<bool>());
        Assert.Matches("(?m)^Certificate-bound tokens:\\s+on", shown.Stdout);
        Assert.Equal(2, invalid.ExitCode);
    }

    [Fact]
    public async Task AppCredentialRemove_UnknownKey_ExitThree()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var result = await server.Cli.RunAsync("app", "credential", "remove", id, "--key-id", Guid.NewGuid().ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR4004:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppCredentialAdd_EndBeyondTheLongestLifetime_RefusedWithServerCode()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var result = await server.Cli.RunAsync("app", "credential", "add", id, "--end", "2000d");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
