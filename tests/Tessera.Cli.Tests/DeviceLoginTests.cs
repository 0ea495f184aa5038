using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Cli.Session;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Server.Hosting;

namespace Tessera.Cli.Tests;

/// <summary>
/// <c>tessera login --device</c> for people, end to end: the command runs as a process, the test plays the person who
/// signs in on the tenant's pages and approves (or refuses) the code, and the session then acts with that person's
/// admin roles, renewing itself with a rotated refresh token.
/// </summary>
public sealed class DeviceLoginTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task LoginDevice_ApplicationAdministrator_ManagesAppsButNotUsers()
    {
        var person = await server.CreatePersonAsync(AdminRoles.ApplicationAdministrator.TemplateId);

        var (cli, login, prompt) = await SignInAsync(person);

        Assert.True(login.ExitCode == 0, login.ToString());
        var verificationUri = prompt["verificationUri"]!.GetValue<string>();
        Assert.Equal($"{server.Origin}/{server.TenantId:D}/devicelogin", verificationUri);
        var instruction = Assert.Single(login.ErrorLines);
        Assert.Contains(verificationUri, instruction, StringComparison.Ordinal);
        Assert.Contains(prompt["userCode"]!.GetValue<string>(), instruction, StringComparison.Ordinal);

        var described = JsonNode.Parse(login.Stdout[login.Stdout.IndexOf('\n', StringComparison.Ordinal)..])!;
        Assert.Equal(person, described["user"]!.GetValue<string>());
        Assert.Equal("device", described["credential"]!.GetValue<string>());

        // The refresh token is kept apart, owner-only, and never printed.
        var refreshToken = await RefreshTokenAsync(cli);
        Assert.DoesNotContain(refreshToken, login.Stdout + login.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(refreshToken, await File.ReadAllTextAsync(cli.SessionPath), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.SessionPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.TokensPath));
        }

        // Application Administrator: applications yes (the command line's own registration among them), users no.
        var apps = await cli.RunAsync("app", "list", "--json");
        Assert.True(apps.ExitCode == 0, apps.ToString());
        Assert.Contains(apps.Json["value"]!.AsArray(), a =>
            a!["displayName"]!.GetValue<string>() == FirstRun.CliApplicationName && a["appId"]!.GetValue<string>() == described["clientId"]!.GetValue<string>());

        var user = await cli.RunAsync("user", "create", "--display-name", "Not allowed", "--upn", $"nope{Guid.NewGuid():N}"[..12] + "@" + server.Bootstrap.Domain);
        Assert.Equal(3, user.ExitCode);
        Assert.Contains("TSR4002", Assert.Single(user.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_DeviceSessionTokenExpired_RenewsWithRotatedRefreshToken()
    {
        var (cli, login, _) = await SignInAsync(await server.CreatePersonAsync(AdminRoles.GlobalAdministrator.TemplateId));
        Assert.True(login.ExitCode == 0, login.ToString());
        var seen = new List<string> { await RefreshTokenAsync(cli) };

        // Twice: the second renewal works only if the first stored the rotated token (a replayed one revokes the family).
        for (var round = 0; round < 2; round++)
        {
            await ForgetAccessTokenAsync(cli);
            var list = await cli.RunAsync("app", "list");
            Assert.True(list.ExitCode == 0, list.ToString());
            seen.Add(await RefreshTokenAsync(cli));
        }

        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task AccessTokens_SeveralRenewalsOfOneProfileAtOnce_RedeemTheRefreshTokenOnce()
    {
        var (cli, login, _) = await SignInAsync(await server.CreatePersonAsync(AdminRoles.GlobalAdministrator.TemplateId));
        Assert.True(login.ExitCode == 0, login.ToString());
        await ForgetAccessTokenAsync(cli);

        // As several commands started together would: each with its own view of the session, all needing a new token.
        using var http = new HttpClient();
        var renewals = Enumerable.Range(0, 4).Select(_ =>
        {
            var store = new SessionStore(cli.ConfigDirectory, null);
            return new AccessTokens(store, store.Require(), new TokenClient(http, TimeProvider.System), TimeProvider.System);
        }).ToList();
        var tokens = await Task.WhenAll(renewals.Select(r => Task.Run(() => r.GetAsync(renew: false, default))));

        Assert.Single(tokens.Distinct(StringComparer.Ordinal));

        // Had two of them redeemed the same refresh token, the replay would have revoked the family.
        await ForgetAccessTokenAsync(cli);
        var after = await cli.RunAsync("app", "list");
        Assert.True(after.ExitCode == 0, after.ToString());
    }

    [Fact]
    public async Task LoginDevice_Denied_ExitThreeSavesNothing()
    {
        var (cli, login, _) = await SignInAsync(await server.CreatePersonAsync(AdminRoles.GlobalAdministrator.TemplateId), "deny");

        Assert.Equal(3, login.ExitCode);
        Assert.StartsWith("TSR7022:", login.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Equal(2, login.ErrorLines.Length); // the instruction, then the one line that says why it stopped
        Assert.False(File.Exists(cli.SessionPath));
        Assert.False(File.Exists(cli.TokensPath));
    }

    [Fact]
    public async Task LoginDevice_WithoutAuthority_ExitTwo()
    {
        var result = await server.NewCli().RunAsync("login", "--device");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("TSR7003:", line, StringComparison.Ordinal);
        Assert.Contains("--device needs --authority", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginDevice_ConfidentialClient_ExitThree()
    {
        var result = await server.NewCli().RunAsync("login", "--device", "--authority", server.Authority, "--client-id", server.Bootstrap.ClientId);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("invalid_client", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_DeviceSession_RevokesAndDeletesRefreshToken()
    {
        var (cli, login, _) = await SignInAsync(await server.CreatePersonAsync(AdminRoles.GlobalAdministrator.TemplateId));
        Assert.True(login.ExitCode == 0, login.ToString());
        var session = JsonNode.Parse(await File.ReadAllTextAsync(cli.SessionPath))!;
        var refreshToken = await RefreshTokenAsync(cli);

        var logout = await cli.RunAsync("logout");

        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Equal(string.Empty, logout.Stderr);
        Assert.False(File.Exists(cli.SessionPath));
        Assert.False(File.Exists(cli.TokensPath));
        using var http = new HttpClient();
        using var refresh = await http.PostAsync(session["tokenEndpoint"]!.GetValue<string>(), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = session["clientId"]!.GetValue<string>(),
            ["refresh_token"] = refreshToken,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Contains("invalid_grant", await refresh.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_NamesTheTenantsOwnCliClient_AndNoneElsewhere()
    {
        using var http = new HttpClient();
        var document = JsonNode.Parse(await http.GetStringAsync($"{server.Authority}/.well-known/openid-configuration"))!;
        var advertised = document["tessera_cli_client_id"]!.GetValue<string>();

        var registration = await server.WithDatabaseAsync((db, _) => db.Applications.AsNoTracking()
            .SingleAsync(a => a.TenantId == server.TenantId && a.DisplayName == FirstRun.CliApplicationName));
        Assert.Equal(registration.AppId.ToString("D"), advertised);
        Assert.True(registration.IsFallbackPublicClient);
        Assert.Equal([FirstRun.CliRedirectUri], registration.PublicClientRedirectUris);

        var other = await server.WithDatabaseAsync(async (db, _) =>
        {
            var tenant = new Tenant
            {
                Id = Guid.NewGuid(),
                DisplayName = "other",
                CreatedDateTime = DateTimeOffset.UtcNow,
                Domains = [new TenantDomain { Name = $"other{Guid.NewGuid():N}.example", IsDefault = true, IsVerified = true }],
            };
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
            return tenant.Id;
        });
        var elsewhere = JsonNode.Parse(await http.GetStringAsync($"{server.Origin}/{other:D}/v2.0/.well-known/openid-configuration"))!;
        Assert.Null(elsewhere["tessera_cli_client_id"]);
    }

    /// <summary>Runs <c>tessera login --device --json</c> and answers its code on the verification page as <paramref name="userName"/>.</summary>
    private async Task<(TesseraCli Cli, CliResult Login, JsonObject Prompt)> SignInAsync(string userName, string decision = "accept")
    {
        var cli = server.NewCli();
        await using var login = cli.Start("login", "--device", "--authority", server.Authority, "--json");
        var prompt = await login.ReadJsonLineAsync();
        using (var browser = new VerificationPage(server.Origin, server.TenantId))
        {
            await browser.SignInAsync(userName, CliServerFixture.PersonPassword);
            await browser.AnswerAsync(prompt["verificationUri"]!.GetValue<string>(), prompt["userCode"]!.GetValue<string>(), decision);
        }

        return (cli, await login.WaitAsync(), prompt);
    }

    private static async Task<string> RefreshTokenAsync(TesseraCli cli)
        => JsonNode.Parse(await File.ReadAllTextAsync(cli.TokensPath))!["refreshToken"]!.GetValue<string>();

    /// <summary>Drops the cached access token, so that the next command must renew the session.</summary>
    private static async Task ForgetAccessTokenAsync(TesseraCli cli)
    {
        var session = JsonNode.Parse(await File.ReadAllTextAsync(cli.SessionPath))!.AsObject();
        session.Remove("token");
        await File.WriteAllTextAsync(cli.SessionPath, session.ToJsonString());
    }
}
