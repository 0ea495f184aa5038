using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Directory.Roles;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Server.Hosting;

namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>
/// A real Tessera server on a free loopback port with a fresh data folder, and a configuration folder in which the
/// <c>tessera</c> command has signed in with the server's bootstrap file. Shared by the tests of one class.
/// Storage is SQLite unless <c>TESSERA_TEST_POSTGRES</c> holds a PostgreSQL connection string.
/// </summary>
public class CliServerFixture : IAsyncLifetime
{
    /// <summary>The password of every person <see cref="CreatePersonAsync"/> makes.</summary>
    public const string PersonPassword = "correct horse battery staple";

    private readonly List<string> _folders = [];

    public TesseraApp App { get; private set; } = null!;
    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "tessera-cli-tests", Guid.NewGuid().ToString("N"));
    public string BootstrapPath => Path.Combine(DataPath, FirstRun.BootstrapFile);
    public BootstrapCredentials Bootstrap { get; private set; } = null!;
    public string Origin => App.Origin;
    public Guid TenantId => App.FirstTenantId;
    public string Authority => $"{Origin}/{TenantId:D}/v2.0";

    /// <summary>The command, signed in with the bootstrap file.</summary>
    public TesseraCli Cli { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Tessera:DataPath={DataPath}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Tessera=Warning",
            .. StorageArguments(),
        ];
        App = await TesseraApp.CreateAsync(args);
        await App.StartAsync();
        Bootstrap = JsonSerializer.Deserialize<BootstrapCredentials>(
                        await File.ReadAllBytesAsync(BootstrapPath), new JsonSerializerOptions(JsonSerializerDefaults.Web))
                    ?? throw new InvalidOperationException("bootstrap.json is empty.");

        Cli = NewCli();
        var login = await Cli.RunAsync("login", "--bootstrap", BootstrapPath);
        Assert.True(login.ExitCode == 0, login.ToString());
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        foreach (var folder in _folders.Append(DataPath))
        {
            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The command with a configuration folder of its own: not signed in.</summary>
    public TesseraCli NewCli()
    {
        var folder = NewFolder();
        return new TesseraCli(folder);
    }

    /// <summary>An empty temporary folder, removed with the fixture.</summary>
    public string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "tessera-cli-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        _folders.Add(folder);
        return folder;
    }

    /// <summary>Runs <paramref name="work"/> on the server's own database.</summary>
    public async Task<T> WithDatabaseAsync<T>(Func<TesseraDbContext, IServiceProvider, Task<T>> work)
    {
        await using var scope = App.Web.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TesseraDbContext>(), scope.ServiceProvider);
    }

    /// <summary>A person in the first tenant holding the built-in admin roles given by template id; returns the user name.</summary>
    public Task<string> CreatePersonAsync(params Guid[] adminRoleTemplateIds)
        => WithDatabaseAsync(async (db, services) =>
        {
            var name = "person" + Guid.NewGuid().ToString("N")[..8];
            var user = new DirectoryUser
            {
                Id = Guid.NewGuid(),
                TenantId = TenantId,
                UserName = $"{name}@{Bootstrap.Domain}",
                Email = $"{name}@{Bootstrap.Domain}",
                DisplayName = name,
                CreatedDateTime = DateTimeOffset.UtcNow,
            };
            var created = await services.GetRequiredService<UserManager<DirectoryUser>>().CreateAsync(user, PersonPassword);
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
            foreach (var role in adminRoleTemplateIds)
            {
                db.DirectoryRoleAssignments.Add(new DirectoryRoleAssignment
                {
                    Id = Guid.NewGuid(), TenantId = TenantId, PrincipalId = user.Id, RoleDefinitionId = role, CreatedDateTime = DateTimeOffset.UtcNow,
                });
            }

            await db.SaveChangesAsync();
            return user.UserName;
        });

    /// <summary>The app id of the admin API's own registration.</summary>
    public Task<Guid> AdminApiAppIdAsync()
        => WithDatabaseAsync(async (db, _) =>
        {
            var apps = await db.Applications.AsNoTracking().Where(a => a.TenantId == TenantId).ToListAsync();
            return apps.Single(a => a.IdentifierUris.Contains(AdminPermissions.ApiIdentifier)).AppId;
        });

    /// <summary>A client for the admin API with the bootstrap client's token, for setting up what the command cannot.</summary>
    public async Task<HttpClient> AdminHttpClientAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri(Origin + "/admin/v1/") };
        using var response = await http.PostAsync($"{Origin}/{TenantId:D}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Bootstrap.ClientId,
            ["client_secret"] = Bootstrap.ClientSecret,
            ["scope"] = Bootstrap.AdminScope,
        }));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        http.DefaultRequestHeaders.Authorization = new("Bearer", body["access_token"]!.GetValue<string>());
        return http;
    }

    private static string[] StorageArguments()
        => Environment.GetEnvironmentVariable("TESSERA_TEST_POSTGRES") is { Length: > 0 } postgres
            ? ["--Tessera:Storage:Provider=Postgres", $"--Tessera:Storage:ConnectionString={postgres};Database=tessera_cli_test_{Guid.NewGuid():N}"]
            : [];
}
