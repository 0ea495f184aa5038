using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

public sealed class PolicyCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private async Task<string> CreateAppAsync()
    {
        var result = await server.Cli.RunAsync("app", "create", "--name", "secret holder " + Guid.NewGuid().ToString("N")[..8], "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task AppManagementShow_TableAndJson()
    {
        var table = await server.Cli.RunAsync("policy", "app-management", "show");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Default app management tenant policy", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Longest client secret lifetime", table.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("policy", "app-management", "show", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("passwordLifetime", json.Json["applicationRestrictions"]!["passwordCredentials"]![0]!["restrictionType"]!.GetValue<string>());
    }

    [Fact]
    public async Task AppManagementSet_CapsNewSecrets()
    {
        var set = await server.Cli.RunAsync("policy", "app-management", "set", "--max-secret-lifetime", "45", "--json");
        try
        {
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.Equal("P45D", set.Json["applicationRestrictions"]!["passwordCredentials"]![0]!["maxLifetime"]!.GetValue<string>());
            var id = await CreateAppAsync();

            var capped = await server.Cli.RunAsync("app", "credential", "add", id, "--json");
            Assert.True(capped.ExitCode == 0, capped.ToString());
            var end = DateTimeOffset.Parse(capped.Json["endDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(end - DateTimeOffset.UtcNow, TimeSpan.FromDays(44), TimeSpan.FromDays(45));

            var tooLong = await server.Cli.RunAsync("app", "credential", "add", id, "--end", "60d");
            Assert.Equal(3, tooLong.ExitCode);
            Assert.StartsWith("TSR3009:", Assert.Single(tooLong.ErrorLines), StringComparison.Ordinal);

            var shown = await server.Cli.RunAsync("policy", "app-management", "show");
            Assert.Contains("45 days (P45D)", shown.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, (await server.Cli.RunAsync("policy", "app-management", "set", "--max-secret-lifetime", "730")).ExitCode);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("731")]
    public async Task AppManagementSet_OutOfRange_ExitThreeWithServerCode(string days)
    {
        var result = await server.Cli.RunAsync("policy", "app-management", "set", "--max-secret-lifetime", days);

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR3066:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppManagementSet_NotANumber_ExitTwo()
    {
        var result = await server.Cli.RunAsync("policy", "app-management", "set", "--max-secret-lifetime", "two-years");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppManagementSet_NewSecretsForbidden_KeptWhenTheLifetimeChangesThenLifted()
    {
        var app = (await server.Cli.RunAsync("app", "create", "--name", "no secrets " + Guid.NewGuid().ToString("N")[..6], "--json")).Json["id"]!.GetValue<string>();
        Assert.Equal(0, (await server.Cli.RunAsync("policy", "app-management", "set", "--new-secrets", "forbidden")).ExitCode);
        try
        {
            Assert.Equal(0, (await server.Cli.RunAsync("policy", "app-management", "set", "--max-secret-lifetime", "90")).ExitCode);
            var shown = await server.Cli.RunAsync("policy", "app-management", "show");
            Assert.Contains("forbidden (certificates and federated credentials only)", shown.Stdout, StringComparison.Ordinal);
            Assert.Contains("90 days", shown.Stdout, StringComparison.Ordinal);

            var refused = await server.Cli.RunAsync("app", "credential", "add", app);
            Assert.Equal(3, refused.ExitCode);
            Assert.StartsWith("TSR8201:", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, (await server.Cli.RunAsync("policy", "app-management", "set", "--new-secrets", "allowed", "--max-secret-lifetime", "730")).ExitCode);
        }

        Assert.Equal(0, (await server.Cli.RunAsync("app", "credential", "add", app)).ExitCode);
    }

    [Fact]
    public async Task AppManagementSet_NothingToChange_ExitTwo()
    {
        var result = await server.Cli.RunAsync("policy", "app-management", "set");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
