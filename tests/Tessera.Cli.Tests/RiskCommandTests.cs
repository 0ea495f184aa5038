using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera risk users</c>, <c>confirm-compromised</c> and <c>dismiss</c> against a real server.</summary>
public sealed class RiskCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task ConfirmCompromised_ListedHigh_DismissEndsIt()
    {
        var person = await server.CreatePersonAsync();

        var confirmed = await server.Cli.RunAsync("risk", "confirm-compromised", person);
        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.Contains(person, confirmed.Stdout, StringComparison.Ordinal);
        var listed = await server.Cli.RunAsync("risk", "users", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var entry = Assert.Single(listed.Json["value"]!.AsArray(), u => u!["userPrincipalName"]!.GetValue<string>() == person)!;
        Assert.Equal("high", entry["riskLevel"]!.GetValue<string>());
        Assert.Equal("confirmedCompromised", entry["riskState"]!.GetValue<string>());
        var table = await server.Cli.RunAsync("risk", "users");
        Assert.Contains(person, table.Stdout, StringComparison.Ordinal);

        var dismissed = await server.Cli.RunAsync("risk", "dismiss", person);
        Assert.True(dismissed.ExitCode == 0, dismissed.ToString());
        var after = await server.Cli.RunAsync("risk", "users", "--json");
        entry = Assert.Single(after.Json["value"]!.AsArray(), u => u!["userPrincipalName"]!.GetValue<string>() == person)!;
        Assert.Equal("none", entry["riskLevel"]!.GetValue<string>());
        Assert.Equal("dismissed", entry["riskState"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConfirmCompromised_UnknownUser_NothingChanged()
    {
        var person = await server.CreatePersonAsync();

        var refused = await server.Cli.RunAsync("risk", "confirm-compromised", person, "nobody@" + server.Bootstrap.Domain);

        Assert.Equal(3, refused.ExitCode);
        var listed = await server.Cli.RunAsync("risk", "users", "--json");
        Assert.DoesNotContain(listed.Json["value"]!.AsArray(), u => u!["userPrincipalName"]!.GetValue<string>() == person);
    }
}
