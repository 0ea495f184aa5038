using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Directory.Consent;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera grant</c> against the real server's /oauth2PermissionGrants and appConsentRequests.</summary>
public sealed class GrantCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    /// <summary>An API with two delegated permissions, named by an identifier URI on the tenant's domain.</summary>
    private async Task<(string AppId, string Uri, string Name)> CreateApiAsync()
    {
        using var http = await server.AdminHttpClientAsync();
        var name = "orders-" + Guid.NewGuid().ToString("N")[..8];
        var uri = $"https://{server.Bootstrap.Domain}/{name}";
        using var response = await http.PostAsJsonAsync("applications", new
        {
            displayName = "Orders API " + name,
            identifierUris = new[] { uri },
            api = new
            {
                oauth2PermissionScopes = new[]
                {
                    new { value = "Orders.Read", type = "User" },
                    new { value = "Orders.ReadWrite", type = "User" },
                },
            },
        });
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, created.ToJsonString());
        return (created["appId"]!.GetValue<string>(), uri, "Orders API " + name);
    }

    private async Task<(string AppId, string Name)> CreateClientAsync()
    {
        var name = "grant app " + Guid.NewGuid().ToString("N")[..8];
        var result = await server.Cli.RunAsync("app", "create", "--name", name, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return (result.Json["appId"]!.GetValue<string>(), name);
    }

    private Task<Guid> UserIdAsync(string userName)
        => server.WithDatabaseAsync((db, _) => Task.FromResult(db.Users.Single(u => u.UserName == userName).Id));

    private Task<Guid> RequestAsync(string clientId, string resourceId, string scope, Guid requestedBy)
        => server.WithDatabaseAsync(async (db, _) =>
        {
            var id = Guid.NewGuid();
            db.AdminConsentRequests.Add(new AdminConsentRequest
            {
                Id = id, TenantId = server.TenantId, ClientId = Guid.Parse(clientId), ResourceId = Guid.Parse(resourceId), Scope = scope,
                RequestedById = requestedBy, Reason = "month end", Status = AdminConsentRequestStatuses.InProgress, CreatedDateTime = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
            return id;
        });

    [Fact]
    public async Task GrantAdd_ForEveryoneByNames_ListedUpdatedThenRemoved()
    {
        var (apiId, apiUri, apiName) = await CreateApiAsync();
        var (clientId, clientName) = await CreateClientAsync();

        // The client by display name, the API by identifier URI; two scopes as separate words.
        var added = await server.Cli.RunAsync("grant", "add", clientName, apiUri, "Orders.Read", "Orders.ReadWrite", "--json");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal("AllPrincipals", added.Json["consentType"]!.GetValue<string>());
        Assert.Null(added.Json["principalId"]);
        Assert.Equal(clientId, added.Json["clientId"]!.GetValue<string>());
        Assert.Equal(apiId, added.Json["resourceId"]!.GetValue<string>());
        Assert.Equal("Orders.Read Orders.ReadWrite", added.Json["scope"]!.GetValue<string>());
        var grantId = added.Json["id"]!.GetValue<string>();

        var table = await server.Cli.RunAsync("grant", "list", "--client", clientId);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(grantId, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("everyone", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(apiName, table.Stdout, StringComparison.Ordinal);

        var byApi = await server.Cli.RunAsync("grant", "list", "--resource", apiName, "--json");
        Assert.True(byApi.ExitCode == 0, byApi.ToString());
        Assert.Equal(grantId, Assert.Single(byApi.Json["value"]!.AsArray())!["id"]!.GetValue<string>());

        var updated = await server.Cli.RunAsync("grant", "update", grantId, "Orders.Read", "--json");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Equal("Orders.Read", updated.Json["scope"]!.GetValue<string>());
        var said = await server.Cli.RunAsync("grant", "update", grantId, "Orders.Read Orders.ReadWrite");
        Assert.True(said.ExitCode == 0, said.ToString());
        Assert.Contains("now holds 'Orders.Read Orders.ReadWrite' (was 'Orders.Read')", said.Stdout, StringComparison.Ordinal);

        var again = await server.Cli.RunAsync("grant", "add", clientId, apiId, "Orders.Read");
        Assert.Equal(3, again.ExitCode);
        Assert.StartsWith("TSR3099:", Assert.Single(again.ErrorLines), StringComparison.Ordinal);

        var removed = await server.Cli.RunAsync("grant", "remove", grantId);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Contains(grantId, removed.Stdout, StringComparison.Ordinal);
        var empty = await server.Cli.RunAsync("grant", "list", "--client", clientId);
        Assert.Contains("No delegated permission grants.", empty.Stdout, StringComparison.Ordinal);

        var twice = await server.Cli.RunAsync("grant", "remove", grantId);
        Assert.Equal(3, twice.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(twice.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantAdd_ForOneUser_ListedForThatUser()
    {
        var (_, apiUri, _) = await CreateApiAsync();
        var (clientId, _) = await CreateClientAsync();
        var userName = await server.CreatePersonAsync();

        var added = await server.Cli.RunAsync("grant", "add", clientId, apiUri, "Orders.Read", "--user", userName);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains($"for '{userName}'", added.Stdout, StringComparison.Ordinal);

        var mine = await server.Cli.RunAsync("grant", "list", "--user", userName, "--json");
        Assert.True(mine.ExitCode == 0, mine.ToString());
        var grant = Assert.Single(mine.Json["value"]!.AsArray())!;
        Assert.Equal("Principal", grant["consentType"]!.GetValue<string>());
        Assert.Equal((await UserIdAsync(userName)).ToString(), grant["principalId"]!.GetValue<string>());

        var table = await server.Cli.RunAsync("grant", "list", "--user", userName);
        Assert.Contains(userName, table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantAdd_Refusals_ExitCodesAndCodes()
    {
        var (_, apiUri, _) = await CreateApiAsync();
        var (clientId, _) = await CreateClientAsync();

        var unknownScope = await server.Cli.RunAsync("grant", "add", clientId, apiUri, "Orders.Delete");
        Assert.Equal(3, unknownScope.ExitCode);
        Assert.StartsWith("TSR3091:", Assert.Single(unknownScope.ErrorLines), StringComparison.Ordinal);

        var unknownApi = await server.Cli.RunAsync("grant", "add", clientId, "api://nobody-" + Guid.NewGuid().ToString("N")[..8], "Orders.Read");
        Assert.Equal(3, unknownApi.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(unknownApi.ErrorLines), StringComparison.Ordinal);

        var unknownUser = await server.Cli.RunAsync("grant", "add", clientId, apiUri, "Orders.Read", "--user", "nobody@nowhere.example");
        Assert.Equal(3, unknownUser.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(unknownUser.ErrorLines), StringComparison.Ordinal);

        var noScope = await server.Cli.RunAsync("grant", "add", clientId, apiUri);
        Assert.Equal(2, noScope.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(noScope.ErrorLines), StringComparison.Ordinal);

        var beyond = await server.Cli.RunAsync("grant", "add", clientId, "api://tessera-admin", "openid");
        Assert.True(beyond.ExitCode == 0, beyond.ToString());
    }

    [Fact]
    public async Task GrantRequests_ListApproveDeny_ThenDecidedOnce()
    {
        var (apiId, apiUri, _) = await CreateApiAsync();
        var (clientId, clientName) = await CreateClientAsync();
        var userName = await server.CreatePersonAsync();
        var userId = await UserIdAsync(userName);
        var toApprove = await RequestAsync(clientId, apiId, "Orders.Read", userId);
        var toDeny = await RequestAsync(clientId, apiId, "Orders.ReadWrite", userId);

        var pending = await server.Cli.RunAsync("grant", "requests", "--status", "inprogress");
        Assert.True(pending.ExitCode == 0, pending.ToString());
        Assert.Contains(toApprove.ToString(), pending.Stdout, StringComparison.Ordinal);
        Assert.Contains(toDeny.ToString(), pending.Stdout, StringComparison.Ordinal);
        Assert.Contains(userName, pending.Stdout, StringComparison.Ordinal);

        var approved = await server.Cli.RunAsync("grant", "approve", toApprove.ToString());
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Contains($"'{clientName}' may use 'Orders.Read'", approved.Stdout, StringComparison.Ordinal);

        var denied = await server.Cli.RunAsync("grant", "deny", toDeny.ToString(), "--json");
        Assert.True(denied.ExitCode == 0, denied.ToString());
        Assert.Equal("Denied", denied.Json["status"]!.GetValue<string>());

        var grants = await server.Cli.RunAsync("grant", "list", "--client", clientId, "--resource", apiUri, "--json");
        var grant = Assert.Single(grants.Json["value"]!.AsArray())!;
        Assert.Equal("AllPrincipals", grant["consentType"]!.GetValue<string>());
        Assert.Equal("Orders.Read", grant["scope"]!.GetValue<string>());

        var approvedList = await server.Cli.RunAsync("grant", "requests", "--status", "Approved", "--json");
        Assert.Contains(approvedList.Json["value"]!.AsArray(), r => r!["id"]!.GetValue<string>() == toApprove.ToString());
        var none = await server.Cli.RunAsync("grant", "requests", "--status", "InProgress");
        Assert.DoesNotContain(toApprove.ToString(), none.Stdout, StringComparison.Ordinal);

        var twice = await server.Cli.RunAsync("grant", "approve", toDeny.ToString());
        Assert.Equal(3, twice.ExitCode);
        Assert.StartsWith("TSR3102:", Assert.Single(twice.ErrorLines), StringComparison.Ordinal);

        var badStatus = await server.Cli.RunAsync("grant", "requests", "--status", "Pending");
        Assert.Equal(2, badStatus.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(badStatus.ErrorLines), StringComparison.Ordinal);

        var unknown = await server.Cli.RunAsync("grant", "deny", Guid.NewGuid().ToString());
        Assert.Equal(3, unknown.ExitCode);
        Assert.StartsWith("TSR4004:", Assert.Single(unknown.ErrorLines), StringComparison.Ordinal);
    }
}
