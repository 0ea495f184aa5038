using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests.Assess;

/// <summary><c>tessera assess</c> on the signed-in tenant, through the admin API of a real server.</summary>
public sealed class AssessLiveTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task Tenant_ApplicationsAssessedWithTheirCredentials()
    {
        var name = "assessed " + Guid.NewGuid().ToString("N")[..8];
        var created = await server.Cli.RunAsync("app", "create", "--name", name, "--web-redirect-uri", $"https://{name.Replace(' ', '-')}.example.com/signin-oidc", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var appId = created.Json["appId"]!.GetValue<string>();
        var secret = await server.Cli.RunAsync("app", "credential", "add", appId);
        Assert.True(secret.ExitCode == 0, secret.ToString());

        var result = await server.Cli.RunAsync("assess", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var app = result.Json["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == appId)!;
        var rules = app["findings"]!.AsArray().Select(f => f!["ruleId"]!.GetValue<string>()).ToList();
        Assert.Contains("TSP008", rules);
        // The tenant's verified domains come from the server: example.com is not one of them.
        Assert.Contains("TSP004", rules);
        Assert.InRange(result.Json["tenantScore"]!.GetValue<int>(), 0, 100);
        Assert.DoesNotContain("TSP024", rules);

        // Months later, still without a sign-in: dormant. The CLI's own client signed in today, so it is not dormant now.
        var later = await server.Cli.RunAsync("assess", "--format", "json", "--as-of", "2027-06-01");
        Assert.True(later.ExitCode == 0, later.ToString());
        var dormant = later.Json["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == appId)!;
        Assert.Contains(dormant["findings"]!.AsArray(), f => f!["ruleId"]!.GetValue<string>() == "TSP024");
    }
}
