using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera policy ca|location|context|whatif</c> against a real server.</summary>
public sealed class ConditionalAccessCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private string PolicyFile(string json)
    {
        var path = Path.Combine(server.NewFolder(), "policy.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string MfaPolicy(string name, string state = "enabledForReportingButNotEnforced", string extraConditions = "")
        => $$$"""
           {"displayName":"{{{name}}}","state":"{{{state}}}",
            "conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}{{{extraConditions}}}},
            "grantControls":{"operator":"OR","builtInControls":["mfa"]}}
           """;

    [Fact]
    public async Task Ca_CreateListShowUpdateDelete()
    {
        var created = await server.Cli.RunAsync("policy", "ca", "create", "--file", PolicyFile(MfaPolicy("CLI MFA")), "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Json["id"]!.GetValue<string>();

        var list = await server.Cli.RunAsync("policy", "ca", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("CLI MFA", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("enabledForReportingButNotEnforced", list.Stdout, StringComparison.Ordinal);

        var show = await server.Cli.RunAsync("policy", "ca", "show", id);
        Assert.Equal("mfa", show.Json["grantControls"]!["builtInControls"]![0]!.GetValue<string>());

        var updated = await server.Cli.RunAsync("policy", "ca", "update", id, "--file", PolicyFile("""{"state":"disabled"}"""), "--json");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Equal("disabled", updated.Json["state"]!.GetValue<string>());

        Assert.Equal(0, (await server.Cli.RunAsync("policy", "ca", "delete", id)).ExitCode);
        Assert.Equal(3, (await server.Cli.RunAsync("policy", "ca", "show", id)).ExitCode);
    }

    [Fact]
    public async Task CaCreate_UnenforceableControl_ExitThreeWithServerCode()
    {
        var result = await server.Cli.RunAsync("policy", "ca", "create", "--file",
            PolicyFile("""{"displayName":"x","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"builtInControls":["compliantDevice"]}}"""));
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("TSR4115:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaCreate_NotJson_ExitTwo()
    {
        var result = await server.Cli.RunAsync("policy", "ca", "create", "--file", PolicyFile("{ nope"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7020:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocationAndContext_CreateListDelete_InUseRefused()
    {
        var location = await server.Cli.RunAsync("policy", "location", "create", "--name", "CLI office", "--range", "10.20.0.0/16", "--range", "2001:db8:20::/48", "--trusted", "--json");
        Assert.True(location.ExitCode == 0, location.ToString());
        var locationId = location.Json["id"]!.GetValue<string>();
        Assert.Contains("10.20.0.0/16", (await server.Cli.RunAsync("policy", "location", "list")).Stdout, StringComparison.Ordinal);

        var context = await server.Cli.RunAsync("policy", "context", "set", "c5", "--name", "CLI payments", "--available", "true");
        Assert.True(context.ExitCode == 0, context.ToString());
        Assert.Contains("CLI payments", (await server.Cli.RunAsync("policy", "context", "list")).Stdout, StringComparison.Ordinal);
        var tooFar = await server.Cli.RunAsync("policy", "context", "set", "c100", "--name", "x");
        Assert.StartsWith("TSR4109:", Assert.Single(tooFar.ErrorLines), StringComparison.Ordinal);

        var policy = await server.Cli.RunAsync("policy", "ca", "create", "--json", "--file",
            PolicyFile(MfaPolicy("CLI away from the office", extraConditions: $$""","locations":{"includeLocations":["All"],"excludeLocations":["{{locationId}}"]}""")));
        Assert.True(policy.ExitCode == 0, policy.ToString());
        var inUse = await server.Cli.RunAsync("policy", "location", "delete", locationId);
        Assert.Equal(3, inUse.ExitCode);
        Assert.StartsWith("TSR4132:", Assert.Single(inUse.ErrorLines), StringComparison.Ordinal);

        Assert.Equal(0, (await server.Cli.RunAsync("policy", "ca", "delete", policy.Json["id"]!.GetValue<string>())).ExitCode);
        Assert.Equal(0, (await server.Cli.RunAsync("policy", "location", "delete", locationId)).ExitCode);
        Assert.Equal(0, (await server.Cli.RunAsync("policy", "context", "delete", "c5")).ExitCode);
    }

    [Fact]
    public async Task WhatIf_PrintsTheDecisionAndEachPolicysReasons()
    {
        var userName = await server.CreatePersonAsync();
        var created = await server.Cli.RunAsync("policy", "ca", "create", "--json", "--file", PolicyFile(MfaPolicy("CLI what-if MFA")));
        Assert.True(created.ExitCode == 0, created.ToString());

        var table = await server.Cli.RunAsync("policy", "whatif", "--user", userName, "--ip", "192.0.2.1", "--amr", "pwd");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("CLI what-if MFA", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("reportOnlyFailure", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Multifactor authentication is required", table.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("policy", "whatif", "--user", userName, "--amr", "pwd,mfa", "--json");
        Assert.Equal("granted", json.Json["outcome"]!.GetValue<string>());

        Assert.Equal(0, (await server.Cli.RunAsync("policy", "ca", "delete", created.Json["id"]!.GetValue<string>())).ExitCode);
    }
}
