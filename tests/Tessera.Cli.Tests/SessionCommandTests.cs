using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera user sessions</c> and <c>tessera policy sessions</c> against a real server.</summary>
public sealed class SessionCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private async Task<string> SignedInPersonAsync(int browsers = 1)
    {
        var person = await server.CreatePersonAsync();
        for (var i = 0; i < browsers; i++)
        {
            using var page = new VerificationPage(server.Origin, server.TenantId);
            await page.SignInAsync(person, CliServerFixture.PersonPassword);
        }

        return person;
    }

    [Fact]
    public async Task UserSessions_ListEndRevoke()
    {
        var person = await SignedInPersonAsync(browsers: 2);

        var listed = await server.Cli.RunAsync("user", "sessions", "list", person, "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var sessions = listed.Json["value"]!.AsArray();
        Assert.Equal(2, sessions.Count);
        var table = await server.Cli.RunAsync("user", "sessions", "list", person);
        Assert.Contains(sessions[0]!["id"]!.GetValue<string>(), table.Stdout, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", table.Stdout, StringComparison.Ordinal);

        var ended = await server.Cli.RunAsync("user", "sessions", "end", person, sessions[0]!["id"]!.GetValue<string>());
        Assert.True(ended.ExitCode == 0, ended.ToString());
        var afterEnd = await server.Cli.RunAsync("user", "sessions", "list", person, "--json");
        Assert.Single(afterEnd.Json["value"]!.AsArray());

        var revoked = await server.Cli.RunAsync("user", "sessions", "revoke", person);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        var afterRevoke = await server.Cli.RunAsync("user", "sessions", "list", person, "--json");
        Assert.Empty(afterRevoke.Json["value"]!.AsArray());
    }

    [Fact]
    public async Task UserSessionsEnd_BadInputs_CleanErrors()
    {
        var person = await SignedInPersonAsync();

        var notAnId = await server.Cli.RunAsync("user", "sessions", "end", person, "yesterday");
        Assert.Equal(2, notAnId.ExitCode);
        Assert.Contains("TSR7003", notAnId.Stderr, StringComparison.Ordinal);

        var unknown = await server.Cli.RunAsync("user", "sessions", "end", person, Guid.NewGuid().ToString());
        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("TSR5305", unknown.Stderr, StringComparison.Ordinal);

        var nobody = await server.Cli.RunAsync("user", "sessions", "list", "nobody@" + server.Bootstrap.Domain);
        Assert.Equal(3, nobody.ExitCode);

        var still = await server.Cli.RunAsync("user", "sessions", "list", person, "--json");
        Assert.Single(still.Json["value"]!.AsArray());
    }

    [Fact]
    public async Task PolicySessions_SetShowReset()
    {
        try
        {
            var set = await server.Cli.RunAsync("policy", "sessions", "set", "--idle-timeout", "PT30M", "--absolute-timeout", "PT8H", "--json");
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.Equal("PT30M", set.Json["effectiveIdleTimeout"]!.GetValue<string>());
            Assert.Equal("PT8H", set.Json["effectiveAbsoluteTimeout"]!.GetValue<string>());

            var bad = await server.Cli.RunAsync("policy", "sessions", "set", "--idle-timeout", "PT1M");
            Assert.Equal(3, bad.ExitCode);
            Assert.Contains("TSR5301", bad.Stderr, StringComparison.Ordinal);

            var nothing = await server.Cli.RunAsync("policy", "sessions", "set");
            Assert.Equal(2, nothing.ExitCode);
        }
        finally
        {
            var reset = await server.Cli.RunAsync("policy", "sessions", "set", "--idle-timeout", "default", "--absolute-timeout", "default");
            Assert.True(reset.ExitCode == 0, reset.ToString());
        }

        var shown = await server.Cli.RunAsync("policy", "sessions", "show");
        Assert.Contains("PT1H (server default)", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("PT12H (server default)", shown.Stdout, StringComparison.Ordinal);
    }
}
