using Microsoft.EntityFrameworkCore;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary>Each test changes the server's audit table behind its back, so each runs on a server of its own.</summary>
public sealed class AuditEditedEntryTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task AuditVerify_EditedActivityName_ExitOneNamingTheEntry()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", $"tamper target {i}")).ExitCode);
        }

        Assert.Equal(0, (await server.Cli.RunAsync("audit", "verify")).ExitCode);

        await server.WithDatabaseAsync(async (db, _) =>
        {
            var entry = await db.AuditEntries.SingleAsync(e => e.TenantId == server.TenantId && e.Sequence == 2);
            entry.ActivityDisplayName = "Nothing to see here";
            return await db.SaveChangesAsync();
        });

        var result = await server.Cli.RunAsync("audit", "verify");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("Audit chain broken at entry 2: its content was changed after it was written", result.Stdout.Trim());
    }
}

public sealed class AuditTruncatedLogTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task AuditVerify_NewestEntriesDeleted_ExitOneAgainstTheLastVerifiedEntry()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", $"truncation target {i}")).ExitCode);
        }

        var intact = await server.Cli.RunAsync("audit", "verify", "--json");
        Assert.True(intact.ExitCode == 0, intact.ToString());
        var last = intact.Json["checked"]!.GetValue<long>();

        // Cutting the newest entries off leaves a chain that checks: only the remembered checkpoint shows it.
        await server.WithDatabaseAsync((db, _) => db.AuditEntries.Where(e => e.TenantId == server.TenantId && e.Sequence == last).ExecuteDeleteAsync());

        var result = await server.Cli.RunAsync("audit", "verify");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"Audit chain broken at entry {last}: the server no longer serves this entry", result.Stdout.Trim(), StringComparison.Ordinal);
    }
}

public sealed class AuditRemovedEntryTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task AuditVerify_MiddleEntryDeleted_ExitOneNamingTheGap()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", $"gap target {i}")).ExitCode);
        }

        await server.WithDatabaseAsync((db, _) => db.AuditEntries.Where(e => e.TenantId == server.TenantId && e.Sequence == 2).ExecuteDeleteAsync());

        var result = await server.Cli.RunAsync("audit", "verify");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Audit chain broken at entry 2: entry 2 is missing", result.Stdout.Trim(), StringComparison.Ordinal);
    }
}
