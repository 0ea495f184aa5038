using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

public sealed class AuditCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task AuditList_ActivityFilter_JsonShowsTheChainFields()
    {
        var created = await server.Cli.RunAsync("app", "create", "--name", "audited app", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());

        var result = await server.Cli.RunAsync("audit", "list", "--activity", "Add application", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var entries = result.Json["value"]!.AsArray();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Equal("Add application", e!["activityDisplayName"]!.GetValue<string>()));
        Assert.All(entries, e => Assert.Equal(64, e!["hash"]!.GetValue<string>().Length));
    }

    [Fact]
    public async Task AuditList_Table_NamesTheActivity()
    {
        Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", "listed app")).ExitCode);

        var result = await server.Cli.RunAsync("audit", "list", "--top", "50");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Add application", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_IntactChain_ExitZeroWithCount()
    {
        Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", "verified app")).ExitCode);
        var total = (await server.Cli.RunAsync("audit", "list", "--json")).Json["value"]!.AsArray().Count;

        var result = await server.Cli.RunAsync("audit", "verify");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"Audit chain intact: {total} entries", result.Stdout.Trim());
    }

    [Fact]
    public async Task AuditVerify_Json_ParsesAsVerdict()
    {
        Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", "json verified app")).ExitCode);

        var result = await server.Cli.RunAsync("audit", "verify", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Json["intact"]!.GetValue<bool>());
        Assert.True(result.Json["checked"]!.GetValue<long>() > 0);
    }
}
