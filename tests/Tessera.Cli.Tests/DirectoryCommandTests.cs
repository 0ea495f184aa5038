using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera user</c>, <c>group</c> and <c>role</c> against the real server's /users, /groups and /roleManagement.</summary>
public sealed class DirectoryCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private const string Password = "correct horse battery staple";

    private string NewUpn() => $"cli{Guid.NewGuid().ToString("N")[..8]}@{server.Bootstrap.Domain}";

    private async Task<JsonNode> CreateUserAsync(string upn)
    {
        var result = await server.Cli.RunAsync(new Dictionary<string, string> { ["NEW_USER_PASSWORD"] = Password }, null,
            "user", "create", "--display-name", "Ada " + upn[..11], "--upn", upn, "--password-env", "NEW_USER_PASSWORD", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    [Fact]
    public async Task UserCreate_ListShowByUpn()
    {
        var upn = NewUpn();
        var user = await CreateUserAsync(upn);
        Assert.Equal(upn, user["userPrincipalName"]!.GetValue<string>());

        var list = await server.Cli.RunAsync("user", "list", "--json");
        Assert.Contains(list.Json["value"]!.AsArray(), u => u!["userPrincipalName"]!.GetValue<string>() == upn);

        var shown = await server.Cli.RunAsync("user", "show", upn);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains(user["id"]!.GetValue<string>(), shown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserCreate_NoPassword_GeneratesOneShownOnce()
    {
        var upn = NewUpn();
        var result = await server.Cli.RunAsync("user", "create", "--display-name", "Generated", "--upn", upn);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Password: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("will not be shown again", result.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("user", "create", "--display-name", "Generated", "--upn", NewUpn(), "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(20, json.Json["generatedPassword"]!.GetValue<string>().Length);
        Assert.Contains("will not be shown again", json.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserCreate_PasswordFromStdin()
    {
        var upn = NewUpn();
        var result = await server.Cli.RunAsync(new Dictionary<string, string>(), Password,
            "user", "create", "--display-name", "Stdin", "--upn", upn, "--password-stdin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("Password:", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserUpdate_DisplayName()
    {
        var upn = NewUpn();
        await CreateUserAsync(upn);

        var renamed = await server.Cli.RunAsync("user", "update", upn, "--display-name", "Ada Lovelace", "--json");

        Assert.True(renamed.ExitCode == 0, renamed.ToString());
        Assert.Equal("Ada Lovelace", renamed.Json["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task UserUpdate_Disable_ThenEnable()
    {
        var upn = NewUpn();
        var id = (await CreateUserAsync(upn))["id"]!.GetValue<string>();

        var disabled = await server.Cli.RunAsync("user", "update", id, "--enabled", "false", "--json");
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.False(disabled.Json["accountEnabled"]!.GetValue<bool>());

        var enabled = await server.Cli.RunAsync("user", "update", upn, "--enabled", "true", "--json");
        Assert.True(enabled.ExitCode == 0, enabled.ToString());
        Assert.True(enabled.Json["accountEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task UserRevokeSessionsAndDelete()
    {
        var upn = NewUpn();
        var id = (await CreateUserAsync(upn))["id"]!.GetValue<string>();

        var revoked = await server.Cli.RunAsync("user", "revoke-sessions", upn);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());

        var deleted = await server.Cli.RunAsync("user", "delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var shown = await server.Cli.RunAsync("user", "show", id);
        Assert.Equal(3, shown.ExitCode);
    }

    [Fact]
    public async Task UserCreate_UnknownDomain_ExitThreeWithServerCode()
    {
        var result = await server.Cli.RunAsync("user", "create", "--display-name", "Stranger", "--upn", "someone@not-our-domain.example");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_CreateAddMembersRemoveDelete()
    {
        var upn = NewUpn();
        var userId = (await CreateUserAsync(upn))["id"]!.GetValue<string>();
        var name = "cli group " + Guid.NewGuid().ToString("N")[..6];

        var created = await server.Cli.RunAsync("group", "create", "--name", name, "--description", "made by the CLI tests", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var groupId = created.Json["id"]!.GetValue<string>();

        var added = await server.Cli.RunAsync("group", "add-member", name, upn);
        Assert.True(added.ExitCode == 0, added.ToString());

        var members = await server.Cli.RunAsync("group", "members", groupId, "--json");
        Assert.True(members.ExitCode == 0, members.ToString());
        Assert.Equal(userId, Assert.Single(members.Json["value"]!.AsArray())!["id"]!.GetValue<string>());

        var listed = await server.Cli.RunAsync("group", "list");
        Assert.Contains(name, listed.Stdout, StringComparison.Ordinal);

        var removed = await server.Cli.RunAsync("group", "remove-member", groupId, userId);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Empty((await server.Cli.RunAsync("group", "members", groupId, "--json")).Json["value"]!.AsArray());

        var deleted = await server.Cli.RunAsync("group", "delete", groupId);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal(3, (await server.Cli.RunAsync("group", "show", groupId)).ExitCode);
    }

    [Fact]
    public async Task Role_ListAssignAssignmentsUnassign()
    {
        var upn = NewUpn();
        var userId = (await CreateUserAsync(upn))["id"]!.GetValue<string>();

        var roles = await server.Cli.RunAsync("role", "list");
        Assert.True(roles.ExitCode == 0, roles.ToString());
        Assert.Contains("User Administrator", roles.Stdout, StringComparison.Ordinal);

        var assigned = await server.Cli.RunAsync("role", "assign", "--user", upn, "--role", "user administrator", "--json");
        Assert.True(assigned.ExitCode == 0, assigned.ToString());
        var assignmentId = assigned.Json["id"]!.GetValue<string>();
        Assert.Equal(userId, assigned.Json["principalId"]!.GetValue<string>());

        var assignments = await server.Cli.RunAsync("role", "assignments", "--user", upn);
        Assert.True(assignments.ExitCode == 0, assignments.ToString());
        Assert.Contains(assignmentId, assignments.Stdout, StringComparison.Ordinal);
        Assert.Contains("User Administrator", assignments.Stdout, StringComparison.Ordinal);

        var again = await server.Cli.RunAsync("role", "assign", "--user", userId, "--role", "User Administrator");
        Assert.Equal(3, again.ExitCode);

        var unassigned = await server.Cli.RunAsync("role", "unassign", assignmentId);
        Assert.True(unassigned.ExitCode == 0, unassigned.ToString());
        Assert.DoesNotContain(assignmentId, (await server.Cli.RunAsync("role", "assignments", "--json")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoleAssign_UnknownRoleName_ExitThree()
    {
        var upn = NewUpn();
        await CreateUserAsync(upn);

        var result = await server.Cli.RunAsync("role", "assign", "--user", upn, "--role", "Supreme Leader");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
