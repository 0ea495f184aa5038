using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

public sealed class AppFederatedCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private const string GitHub = "https://token.actions.githubusercontent.com";

    private async Task<JsonNode> CreateAppAsync()
    {
        var result = await server.Cli.RunAsync("app", "create", "--name", "workload " + Guid.NewGuid().ToString("N")[..8], "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    [Fact]
    public async Task FederatedAddListRemove_ByAppIdAndName()
    {
        var app = await CreateAppAsync();
        var appId = app["appId"]!.GetValue<string>();

        var added = await server.Cli.RunAsync("app", "federated", "add", appId, "--name", "github-main", "--issuer", GitHub,
            "--subject", "repo:contoso/orders:ref:refs/heads/main", "--description", "Deploys main");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("github-main", added.Stdout, StringComparison.Ordinal);
        Assert.Contains("api://AzureADTokenExchange", added.Stdout, StringComparison.Ordinal);

        var table = await server.Cli.RunAsync("app", "federated", "list", appId);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("repo:contoso/orders:ref:refs/heads/main", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Issuer", table.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("app", "federated", "list", app["id"]!.GetValue<string>(), "--json");
        var listed = Assert.Single(json.Json["value"]!.AsArray())!;
        Assert.Equal(GitHub, listed["issuer"]!.GetValue<string>());
        Assert.Equal("Deploys main", listed["description"]!.GetValue<string>());

        var removed = await server.Cli.RunAsync("app", "federated", "remove", appId, "github-main");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Contains("Removed federated identity credential 'github-main'", removed.Stdout, StringComparison.Ordinal);

        var empty = await server.Cli.RunAsync("app", "federated", "list", appId);
        Assert.Contains("No federated identity credentials.", empty.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FederatedAdd_Json_AudienceAndRemoveById()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var added = await server.Cli.RunAsync("app", "federated", "add", id, "--name", "aws-orders", "--issuer", "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "--subject", "system:serviceaccount:orders:api", "--audience", "sts.amazonaws.com", "--json");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal(["sts.amazonaws.com"], added.Json["audiences"]!.AsArray().Select(a => a!.GetValue<string>()));

        var credentialId = added.Json["id"]!.GetValue<string>();
        var removed = await server.Cli.RunAsync("app", "federated", "remove", id, credentialId, "--json");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.True(removed.Json["removed"]!.GetValue<bool>());
        Assert.Empty((await server.Cli.RunAsync("app", "federated", "list", id, "--json")).Json["value"]!.AsArray());
    }

    [Theory]
    [InlineData("http://token.actions.githubusercontent.com", "github-main", "TSR3057")]
    [InlineData(GitHub, "bad name", "TSR3052")]
    public async Task FederatedAdd_BreaksARule_ExitThreeWithServerCode(string issuer, string name, string code)
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var result = await server.Cli.RunAsync("app", "federated", "add", id, "--name", name, "--issuer", issuer, "--subject", "repo:contoso/orders:pull_request");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith(code + ":", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task FederatedAdd_Duplicate_ExitThreeWithConflictCode()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();
        string[] add = ["app", "federated", "add", id, "--name", "github-pr", "--issuer", GitHub, "--subject", "repo:contoso/orders:pull_request"];
        Assert.Equal(0, (await server.Cli.RunAsync(add)).ExitCode);

        var again = await server.Cli.RunAsync(add);

        Assert.Equal(3, again.ExitCode);
        Assert.StartsWith("TSR3053:", Assert.Single(again.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FederatedAdd_IssuerMissing_ExitTwo()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var result = await server.Cli.RunAsync("app", "federated", "add", id, "--name", "no-issuer", "--subject", "x");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FederatedRemove_Unknown_ExitThree()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var result = await server.Cli.RunAsync("app", "federated", "remove", id, "never-added");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR4004:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
