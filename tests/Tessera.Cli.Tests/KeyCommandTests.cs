using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

public sealed class KeyCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task KeysRotateNow_RetireIn1h_NewActiveKeyAndPreviousPublishedForAnHour()
    {
        var before = await server.Cli.RunAsync("keys", "list", "--json");
        Assert.True(before.ExitCode == 0, before.ToString());
        var activeBefore = before.Json["value"]!.AsArray().Single(k => k!["status"]!.GetValue<string>() == "active")!["kid"]!.GetValue<string>();

        var rotated = await server.Cli.RunAsync("keys", "rotate", "--now", "--retire-previous-at", "1h", "--json");

        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        var active = rotated.Json["active"]!["kid"]!.GetValue<string>();
        Assert.NotEqual(activeBefore, active);
        var previous = Assert.Single(rotated.Json["previous"]!.AsArray(), k => k!["kid"]!.GetValue<string>() == activeBefore);
        var retire = DateTimeOffset.Parse(previous!["retireDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retire, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65));

        var table = await server.Cli.RunAsync("keys", "list");
        Assert.Contains(active, table.Stdout, StringComparison.Ordinal);
        Assert.Contains(activeBefore, table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysRotate_WithoutNow_UsageError()
    {
        var result = await server.Cli.RunAsync("keys", "rotate");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--now", result.ToString(), StringComparison.Ordinal);
    }
}
