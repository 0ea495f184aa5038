using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Errors;
using Tessera.Server.Hosting;
using Tessera.Server.Keys;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A server whose Data Protection key ring lives in a folder of the data folder instead of the database.</summary>
public sealed class FileKeyRingServerFixture : TesseraServerFixture
{
    protected override IEnumerable<string> ExtraArguments => [$"--Tessera:KeyRing:Store={KeyProtection.FileSystemStore}"];

    public string KeyRingPath => Path.Combine(DataPath, KeyProtection.KeyRingFolder);
}

public sealed class KeyRingOutsideDatabaseTests(FileKeyRingServerFixture server) : IClassFixture<FileKeyRingServerFixture>
{
    private async Task<TokenResponse> IssueAsync(string tokenEndpoint, BootstrapCredentials bootstrap, HttpClient http)
    {
        var response = await TokenClient.PostAsync(http, tokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", bootstrap.ClientId), ("client_secret", bootstrap.ClientSecret), ("scope", bootstrap.AdminScope));
        response.AssertSuccess();
        return response;
    }

    [Fact]
    public async Task FileSystemStore_RingInOwnerOnlyFiles_NothingInTheDatabase_TokensIssued()
    {
        using var http = server.CreateHttpClient();
        await IssueAsync(server.TokenEndpoint, server.Bootstrap, http);

        var files = System.IO.Directory.GetFiles(server.KeyRingPath, "*.xml");
        Assert.NotEmpty(files);
        Assert.Equal(0, await server.Directory.QueryAsync(db => db.DataProtectionKeys.CountAsync()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(server.KeyRingPath));
            foreach (var file in files)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        // Encrypted with the protection certificate there too: no private key in the clear.
        Assert.All(files, f => Assert.Contains("EncryptedKey", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Fact]
    public async Task FileSystemStore_SecondNodeOnTheSameFolder_ReadsTheSameSigningKeys()
    {
        using var http = server.CreateHttpClient();
        var first = await IssueAsync(server.TokenEndpoint, server.Bootstrap, http);
        await using var second = await TesseraServerFixture.StartServerAsync(server.DataPath, server.StorageArguments,
            [$"--Tessera:KeyRing:Store={KeyProtection.FileSystemStore}"]);
        using var secondHttp = new HttpClient { BaseAddress = new Uri(second.Origin) };

        var fromSecond = await IssueAsync($"{second.Origin}/{server.TenantId:D}/oauth2/v2.0/token", server.Bootstrap, secondHttp);

        Assert.Equal(first.Access.Kid, fromSecond.Access.Kid);
    }

    [Fact]
    public async Task FileSystemStore_FolderOthersCanRead_StartRefused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var ring = Path.Combine(data, "open-ring");
        System.IO.Directory.CreateDirectory(ring);
        File.SetUnixFileMode(ring, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            var refused = await Assert.ThrowsAsync<TesseraConfigurationException>(() => TesseraServerFixture.StartServerAsync(
                data, TestStorage.NewConnectionArguments(), [$"--Tessera:KeyRing:Store={KeyProtection.FileSystemStore}", $"--Tessera:KeyRing:Path={ring}"]));
            Assert.StartsWith("TSR8231", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.IO.Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownStore_StartRefused()
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var refused = await Assert.ThrowsAsync<TesseraConfigurationException>(() => TesseraServerFixture.StartServerAsync(
                data, TestStorage.NewConnectionArguments(), ["--Tessera:KeyRing:Store=Vault"]));
            Assert.StartsWith("TSR8230", refused.Message, StringComparison.Ordinal);
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
