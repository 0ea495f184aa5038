using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera sp</c> against the real server's /servicePrincipals and app role assignments.</summary>
public sealed class ServicePrincipalCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private const string AdminApi = "api://tessera-admin";
    private const string Role = "Application.Read.All";

    private async Task<JsonNode> CreateAppAsync()
    {
        var result = await server.Cli.RunAsync("app", "create", "--name", "sp app " + Guid.NewGuid().ToString("N")[..8], "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    [Fact]
    public async Task SpGrant_AdminApiRoleByIdentifierUri_ShownInAssignments_ThenRevoked()
    {
        var app = await CreateAppAsync();
        var appId = app["appId"]!.GetValue<string>();
        var adminApi = (await server.AdminApiAppIdAsync()).ToString("D");

        var granted = await server.Cli.RunAsync("sp", "grant", appId, "--api", AdminApi, "--role", Role, "--json");
        Assert.True(granted.ExitCode == 0, granted.ToString());
        Assert.Equal(appId, granted.Json["principalId"]!.GetValue<string>());
        Assert.Equal(adminApi, granted.Json["resourceId"]!.GetValue<string>());
        var assignmentId = granted.Json["id"]!.GetValue<string>();

        var json = await server.Cli.RunAsync("sp", "assignments", appId, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(assignmentId, Assert.Single(json.Json["value"]!.AsArray())!["id"]!.GetValue<string>());

        var table = await server.Cli.RunAsync("sp", "assignments", appId);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(Role, table.Stdout, StringComparison.Ordinal);
        Assert.Contains(assignmentId, table.Stdout, StringComparison.Ordinal);

        var again = await server.Cli.RunAsync("sp", "grant", appId, "--api", adminApi, "--role", Role);
        Assert.Equal(3, again.ExitCode);
        Assert.StartsWith("TSR3045:", Assert.Single(again.ErrorLines), StringComparison.Ordinal);

        var revoked = await server.Cli.RunAsync("sp", "revoke", appId, "--api", adminApi, "--role", Role);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Contains(assignmentId, revoked.Stdout, StringComparison.Ordinal);

        var after = await server.Cli.RunAsync("sp", "assignments", appId, "--json");
        Assert.Empty(after.Json["value"]!.AsArray());
        var empty = await server.Cli.RunAsync("sp", "assignments", appId);
        Assert.Contains("No app role assignments.", empty.Stdout, StringComparison.Ordinal);

        var twice = await server.Cli.RunAsync("sp", "revoke", appId, "--api", AdminApi, "--role", Role);
        Assert.Equal(3, twice.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(twice.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpGrant_UnknownRole_ExitThreeWithTsr7015()
    {
        var appId = (await CreateAppAsync())["appId"]!.GetValue<string>();

        var result = await server.Cli.RunAsync("sp", "grant", appId, "--api", AdminApi, "--role", "Nothing.Like.This");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task SpGrant_UnknownApiUri_ExitThree_AndNotAGuid_ExitTwo()
    {
        var appId = (await CreateAppAsync())["appId"]!.GetValue<string>();

        var unknown = await server.Cli.RunAsync("sp", "grant", appId, "--api", "api://nobody-" + Guid.NewGuid().ToString("N")[..8], "--role", Role);
        Assert.Equal(3, unknown.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(unknown.ErrorLines), StringComparison.Ordinal);

        var notGuid = await server.Cli.RunAsync("sp", "grant", "orders", "--api", AdminApi, "--role", Role);
        Assert.Equal(2, notGuid.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(notGuid.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpUpdate_Disable_ShowAndList()
    {
        var appId = (await CreateAppAsync())["appId"]!.GetValue<string>();

        var disabled = await server.Cli.RunAsync("sp", "update", appId, "--enabled", "false", "--json");
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.False(disabled.Json["accountEnabled"]!.GetValue<bool>());

        var shown = await server.Cli.RunAsync("sp", "show", appId);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Matches("(?m)^Enabled:\\s+no\\s*$", shown.Stdout);

        var json = await server.Cli.RunAsync("sp", "show", appId, "--json");
        Assert.False(json.Json["accountEnabled"]!.GetValue<bool>());
        Assert.Equal(appId, json.Json["id"]!.GetValue<string>());

        var list = await server.Cli.RunAsync("sp", "list", "--filter", "accountEnabled eq false", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Json["value"]!.AsArray(), p => p!["appId"]!.GetValue<string>() == appId);

        var table = await server.Cli.RunAsync("sp", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(appId, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Assignment required", table.Stdout, StringComparison.Ordinal);

        var required = await server.Cli.RunAsync("sp", "update", appId, "--enabled", "true", "--assignment-required", "true", "--json");
        Assert.True(required.ExitCode == 0, required.ToString());
        Assert.True(required.Json["accountEnabled"]!.GetValue<bool>());
        Assert.True(required.Json["appRoleAssignmentRequired"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SpUpdate_NothingToChange_ExitTwo()
    {
        var result = await server.Cli.RunAsync("sp", "update", Guid.NewGuid().ToString());

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpUpdate_DisableAdminApi_RefusedWithServerCode()
    {
        var adminApi = await server.AdminApiAppIdAsync();

        var result = await server.Cli.RunAsync("sp", "update", adminApi.ToString(), "--enabled", "false");

        Assert.Equal(3, result.ExitCode);
        Assert.Matches("^TSR\\d{4}: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task SpShow_UnknownAppId_ExitThree()
    {
        var result = await server.Cli.RunAsync("sp", "show", Guid.NewGuid().ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
