using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Restart_SameDataFolder_KeepsTenantKeysClientsAndNeverRewritesBootstrap()
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var storage = TestStorage.NewConnectionArguments();
        var bootstrapPath = Path.Combine(data, FirstRun.BootstrapFile);

        string firstToken, firstKeys, bootstrapBefore;
        Guid tenant;
        var app = await TesseraServerFixture.StartServerAsync(data, storage);
        await using (app)
        {
            tenant = app.FirstTenantId;
            bootstrapBefore = await File.ReadAllTextAsync(bootstrapPath);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bootstrapPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            }

            (firstToken, firstKeys) = await IssueAsync(app, data);
        }

        var restarted = await TesseraServerFixture.StartServerAsync(data, storage);
        await using (restarted)
        {
            Assert.Equal(tenant, restarted.FirstTenantId);
            Assert.Equal(bootstrapBefore, await File.ReadAllTextAsync(bootstrapPath));

            var (secondToken, secondKeys) = await IssueAsync(restarted, data);
            Assert.Equal(firstKeys, secondKeys);

            // A token from before the restart still validates against the keys published after it.
            using var http = new HttpClient();
            var jwks = new JsonWebKeySet(await http.GetStringAsync($"{restarted.Origin}/{tenant:D}/discovery/v2.0/keys"));
            var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(firstToken, new TokenValidationParameters
            {
                ValidateIssuer = false,
                ValidateAudience = false,
                IssuerSigningKeys = jwks.GetSigningKeys(),
            });
            Assert.True(result.IsValid, result.Exception?.Message);
            Assert.NotEqual(firstToken, secondToken);
        }

        System.IO.Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Restart_AdminApiFromAnOlderVersion_GainsTheNewPermissions()
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var storage = TestStorage.NewConnectionArguments();
        await using (var app = await TesseraServerFixture.StartServerAsync(data, storage))
        {
            // As a tenant created before AppRoleAssignment.ReadWrite.All existed.
            await using var scope = app.Web.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Tessera.Directory.Storage.TesseraDbContext>();
            var api = await db.Applications.SingleAsync(a => a.IdentifierUris.Contains(Tessera.Policy.Admin.AdminPermissions.ApiIdentifier));
            api.AppRoles = [.. api.AppRoles.Where(r => r.Value != "AppRoleAssignment.ReadWrite.All")];
            await db.SaveChangesAsync();
        }

        await using (var restarted = await TesseraServerFixture.StartServerAsync(data, storage))
        {
            await using var scope = restarted.Web.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Tessera.Directory.Storage.TesseraDbContext>();
            var api = await db.Applications.AsNoTracking().SingleAsync(a => a.IdentifierUris.Contains(Tessera.Policy.Admin.AdminPermissions.ApiIdentifier));
            Assert.Equal(Tessera.Policy.Admin.AdminPermissions.All.Order(), api.AppRoles.Select(r => r.Value).Order());
        }

        System.IO.Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Start_UnknownStorageProvider_FailsWithCatalogueError()
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<Tessera.Policy.Errors.TesseraConfigurationException>(
            () => TesseraServerFixture.StartServerAsync(data, ["--Tessera:Storage:Provider=Oracle"]));
        Assert.Equal("TSR0001", error.Error.Code);
    }

    [Fact]
    public async Task Start_PostgresWithoutConnectionString_FailsWithCatalogueError()
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<Tessera.Policy.Errors.TesseraConfigurationException>(
            () => TesseraServerFixture.StartServerAsync(data, ["--Tessera:Storage:Provider=Postgres"]));
        Assert.Equal("TSR0002", error.Error.Code);
    }

    private static async Task<(string Token, string Keys)> IssueAsync(TesseraApp app, string data)
    {
        var bootstrap = TesseraServerFixture.ReadBootstrap(data);
        using var http = new HttpClient();
        var response = await TokenClient.PostAsync(http, $"{app.Origin}/{bootstrap.TenantId:D}/oauth2/v2.0/token", ("grant_type", "client_credentials"),
            ("client_id", bootstrap.ClientId), ("client_secret", bootstrap.ClientSecret), ("scope", bootstrap.AdminScope));
        response.AssertSuccess();
        return (response.AccessToken, await http.GetStringAsync($"{app.Origin}/{bootstrap.TenantId:D}/discovery/v2.0/keys"));
    }
}
