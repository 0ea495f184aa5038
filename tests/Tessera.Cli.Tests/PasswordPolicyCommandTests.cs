using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

public sealed class PasswordPolicyCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task PasswordShow_TableAndJson()
    {
        var table = await server.Cli.RunAsync("policy", "password", "show");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Password protection policy", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("12 to 256 characters", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("10 failed sign-ins", table.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("policy", "password", "show", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(60, json.Json["lockoutDurationInSeconds"]!.GetValue<int>());
        Assert.True(json.Json["enableBannedPasswordCheck"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PasswordSet_BannedWordRefusedWhenCreatingAUser_ThenUnbanned()
    {
        var set = await server.Cli.RunAsync("policy", "password", "set", "--ban", "Zanzibar", "--ban", "quokka", "--lockout-threshold", "7", "--json");
        try
        {
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.Equal(["Zanzibar", "quokka"], set.Json["bannedPasswordList"]!.AsArray().Select(w => w!.GetValue<string>()));
            Assert.Equal(7, set.Json["lockoutThreshold"]!.GetValue<int>());

            var environment = new Dictionary<string, string> { ["NEW_PASSWORD"] = "z4nz1bar holidays are nice" };
            var upn = $"ban{Guid.NewGuid():N}"[..12] + "@" + server.Bootstrap.Domain;
            var refused = await server.Cli.RunAsync(environment, null, "user", "create", "--display-name", "Banned", "--upn", upn, "--password-env", "NEW_PASSWORD");
            Assert.Equal(3, refused.ExitCode);
            Assert.StartsWith("TSR5011:", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
            Assert.DoesNotContain("z4nz1bar", refused.ToString(), StringComparison.OrdinalIgnoreCase);

            var unban = await server.Cli.RunAsync("policy", "password", "set", "--unban", "zanzibar");
            Assert.True(unban.ExitCode == 0, unban.ToString());
            Assert.Contains("quokka", unban.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Zanzibar", unban.Stdout, StringComparison.Ordinal);

            var created = await server.Cli.RunAsync(environment, null, "user", "create", "--display-name", "Allowed", "--upn", upn, "--password-env", "NEW_PASSWORD");
            Assert.True(created.ExitCode == 0, created.ToString());
        }
        finally
        {
            Assert.Equal(0, (await server.Cli.RunAsync("policy", "password", "set", "--clear-banned", "--lockout-threshold", "10")).ExitCode);
        }
    }

    [Fact]
    public async Task UserCreate_CommonPassword_ExitThreeWithTheReason()
    {
        var environment = new Dictionary<string, string> { ["NEW_PASSWORD"] = "Password2024!" };
        var upn = $"weak{Guid.NewGuid():N}"[..12] + "@" + server.Bootstrap.Domain;
        var result = await server.Cli.RunAsync(environment, null, "user", "create", "--display-name", "Weak", "--upn", upn, "--password-env", "NEW_PASSWORD");
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR5004:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lockout-threshold", "2", "TSR5035")]
    [InlineData("--lockout-threshold", "101", "TSR5035")]
    [InlineData("--lockout-duration", "4", "TSR5036")]
    [InlineData("--lockout-duration", "86401", "TSR5036")]
    [InlineData("--ban", "abc", "TSR5033")]
    public async Task PasswordSet_OutOfRange_ExitThreeWithServerCode(string option, string value, string code)
    {
        var result = await server.Cli.RunAsync("policy", "password", "set", option, value);
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith(code + ":", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lockout-threshold", "ten")]
    [InlineData("--enforce-banned", "maybe")]
    public async Task PasswordSet_NotAValue_ExitTwo(string option, string value)
    {
        var result = await server.Cli.RunAsync("policy", "password", "set", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordSet_NothingGiven_ExitTwo()
    {
        var result = await server.Cli.RunAsync("policy", "password", "set");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RiskList_NoneYet_EmptyTableAndJson()
    {
        var table = await server.Cli.RunAsync("risk", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("No risk detections.", table.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("risk", "list", "--json", "--filter", "riskEventType eq 'passwordSpray'");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Empty(json.Json["value"]!.AsArray());
    }

    [Fact]
    public async Task RiskList_BadFilter_ExitThree()
    {
        var result = await server.Cli.RunAsync("risk", "list", "--filter", "userPassword eq 'x'");
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR4005:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
