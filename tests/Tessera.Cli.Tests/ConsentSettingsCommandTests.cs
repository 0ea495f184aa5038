using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary>
/// The settings consent decisions read, through the command line: <c>tessera policy consent</c>, <c>tessera sp
/// classify | classifications | unclassify</c>, <c>tessera app publisher</c> and <c>tessera app update</c>'s permissions.
/// </summary>
public sealed class ConsentSettingsCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    private const string Low = "ManagePermissionGrantsForSelf.microsoft-user-default-low";
    private const string Legacy = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";

    /// <summary>An API with two delegated permissions, an app role for applications and one for users.</summary>
    private async Task<JsonNode> CreateApiAsync()
    {
        using var http = await server.AdminHttpClientAsync();
        var name = "orders-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await http.PostAsJsonAsync("applications", new
        {
            displayName = "Orders API " + name,
            identifierUris = new[] { $"https://{server.Bootstrap.Domain}/{name}" },
            api = new
            {
                oauth2PermissionScopes = new[]
                {
                    new { value = "Orders.Read", type = "User" },
                    new { value = "Orders.ReadWrite", type = "User" },
                },
            },
            appRoles = new[]
            {
                new { value = "Orders.Read.All", allowedMemberTypes = new[] { "Application" } },
                new { value = "Orders.Approver", allowedMemberTypes = new[] { "User" } },
            },
        });
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, created.ToJsonString());
        return created;
    }

    private async Task<JsonNode> CreateAppAsync()
    {
        var result = await server.Cli.RunAsync("app", "create", "--name", "consent app " + Guid.NewGuid().ToString("N")[..8], "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    private static string[] Assigned(CliResult result)
        => [.. result.Json["defaultUserRolePermissions"]!["permissionGrantPoliciesAssigned"]!.AsArray().Select(p => p!.GetValue<string>())];

    [Fact]
    public async Task PolicyConsent_SetNoneLegacyLow_ShownAsShortNamesAndGraphValues()
    {
        var none = await server.Cli.RunAsync("policy", "consent", "set", "none", "--json");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Empty(Assigned(none));

        var shown = await server.Cli.RunAsync("policy", "consent", "show");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Matches("(?m)^User consent:\\s+none\\s*$", shown.Stdout);
        Assert.Contains("users may not consent", shown.Stdout, StringComparison.Ordinal);

        var legacy = await server.Cli.RunAsync("policy", "consent", "set", "legacy", "--json");
        Assert.True(legacy.ExitCode == 0, legacy.ToString());
        Assert.Equal([Legacy], Assigned(legacy));

        var low = await server.Cli.RunAsync("policy", "consent", "set", "low");
        Assert.True(low.ExitCode == 0, low.ToString());
        Assert.Matches("(?m)^User consent:\\s+low\\s*$", low.Stdout);
        Assert.Contains(Low, low.Stdout, StringComparison.Ordinal);

        var json = await server.Cli.RunAsync("policy", "consent", "show", "--json");
        Assert.Equal("authorizationPolicy", json.Json["id"]!.GetValue<string>());
        Assert.Equal([Low], Assigned(json));
    }

    [Fact]
    public async Task PolicyConsent_UnknownSetting_ExitTwo()
    {
        var result = await server.Cli.RunAsync("policy", "consent", "set", "everyone");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpClassify_ListedThenDuplicateRefusedThenUnclassified()
    {
        var api = await CreateApiAsync();
        var appId = api["appId"]!.GetValue<string>();

        var classified = await server.Cli.RunAsync("sp", "classify", appId, "Orders.Read", "low", "--json");
        Assert.True(classified.ExitCode == 0, classified.ToString());
        Assert.Equal("Orders.Read", classified.Json["permissionName"]!.GetValue<string>());
        Assert.Equal("low", classified.Json["classification"]!.GetValue<string>());

        var byId = api["api"]!["oauth2PermissionScopes"]!.AsArray().Single(s => s!["value"]!.GetValue<string>() == "Orders.ReadWrite")!["id"]!.GetValue<string>();
        var high = await server.Cli.RunAsync("sp", "classify", appId, byId, "high");
        Assert.True(high.ExitCode == 0, high.ToString());
        Assert.Contains("'Orders.ReadWrite'", high.Stdout, StringComparison.Ordinal);

        var table = await server.Cli.RunAsync("sp", "classifications", appId);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches("Orders\\.Read\\s.*low", table.Stdout);
        Assert.Matches("Orders\\.ReadWrite\\s.*high", table.Stdout);

        var again = await server.Cli.RunAsync("sp", "classify", appId, "Orders.Read", "medium");
        Assert.Equal(3, again.ExitCode);
        Assert.StartsWith("TSR3077:", Assert.Single(again.ErrorLines), StringComparison.Ordinal);

        var removed = await server.Cli.RunAsync("sp", "unclassify", appId, "Orders.Read");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var json = await server.Cli.RunAsync("sp", "classifications", appId, "--json");
        Assert.Equal(["Orders.ReadWrite"], json.Json["value"]!.AsArray().Select(c => c!["permissionName"]!.GetValue<string>()));

        var twice = await server.Cli.RunAsync("sp", "unclassify", appId, "Orders.Read");
        Assert.Equal(3, twice.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(twice.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpClassify_UnknownPermission_ExitThreeWithServerCode_BadRating_ExitTwo()
    {
        var appId = (await CreateApiAsync())["appId"]!.GetValue<string>();

        var unknown = await server.Cli.RunAsync("sp", "classify", appId, "Orders.Delete", "low");
        Assert.Equal(3, unknown.ExitCode);
        Assert.StartsWith("TSR3075:", Assert.Single(unknown.ErrorLines), StringComparison.Ordinal);

        var rating = await server.Cli.RunAsync("sp", "classify", appId, "Orders.Read", "critical");
        Assert.Equal(2, rating.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(rating.ErrorLines), StringComparison.Ordinal);

        var empty = await server.Cli.RunAsync("sp", "classifications", appId);
        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Contains("is rated", empty.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppPublisher_VerifyShowUnverify()
    {
        var app = await CreateAppAsync();
        var id = app["id"]!.GetValue<string>();

        var verified = await server.Cli.RunAsync("app", "publisher", "verify", id, "--id", "1234567", "--name", "Contoso Ltd", "--json");
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Equal("1234567", verified.Json["verifiedPublisherId"]!.GetValue<string>());
        Assert.Equal("Contoso Ltd", verified.Json["displayName"]!.GetValue<string>());
        Assert.NotNull(verified.Json["addedDateTime"]);

        var shown = await server.Cli.RunAsync("app", "show", app["appId"]!.GetValue<string>());
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Matches("(?m)^Verified publisher:\\s+Contoso Ltd \\(1234567\\)", shown.Stdout);
        Assert.Matches($"(?m)^Publisher domain:\\s+{System.Text.RegularExpressions.Regex.Escape(server.Bootstrap.Domain)}\\s*$", shown.Stdout);

        var unverified = await server.Cli.RunAsync("app", "publisher", "unverify", id);
        Assert.True(unverified.ExitCode == 0, unverified.ToString());
        Assert.Contains("has no verified publisher", unverified.Stdout, StringComparison.Ordinal);
        var json = await server.Cli.RunAsync("app", "show", id, "--json");
        Assert.Null(json.Json["verifiedPublisher"]!["verifiedPublisherId"]);
    }

    [Fact]
    public async Task AppPublisher_MissingIdOption_ExitTwo_BadId_ExitThree()
    {
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var missing = await server.Cli.RunAsync("app", "publisher", "verify", id);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);

        var bad = await server.Cli.RunAsync("app", "publisher", "verify", id, "--id", " ");
        Assert.Equal(3, bad.ExitCode);
        Assert.StartsWith("TSR3078:", Assert.Single(bad.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppUpdate_DelegatedApplicationAndGroupClaims_ThenCleared()
    {
        var api = await CreateApiAsync();
        var apiAppId = api["appId"]!.GetValue<string>();
        var uri = api["identifierUris"]![0]!.GetValue<string>();
        var app = await CreateAppAsync();
        var id = app["id"]!.GetValue<string>();

        var updated = await server.Cli.RunAsync("app", "update", id, "--delegated", $"{uri}:Orders.Read,orders.readwrite",
            "--application", $"{apiAppId}:Orders.Read.All", "--group-claims", "SecurityGroup", "--json");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        var required = Assert.Single(updated.Json["requiredResourceAccess"]!.AsArray())!;
        Assert.Equal(apiAppId, required["resourceAppId"]!.GetValue<string>());
        Assert.Equal(["Scope", "Scope", "Role"], required["resourceAccess"]!.AsArray().Select(a => a!["type"]!.GetValue<string>()));
        Assert.Equal("SecurityGroup", updated.Json["groupMembershipClaims"]!.GetValue<string>());

        var shown = await server.Cli.RunAsync("app", "show", id);
        Assert.Contains($"{apiAppId}: 2 delegated, 1 application", shown.Stdout, StringComparison.Ordinal);
        Assert.Matches("(?m)^Group claims:\\s+SecurityGroup\\s*$", shown.Stdout);

        var cleared = await server.Cli.RunAsync("app", "update", id, "--clear-permissions", "--json");
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Empty(cleared.Json["requiredResourceAccess"]!.AsArray());
        Assert.Equal("SecurityGroup", cleared.Json["groupMembershipClaims"]!.GetValue<string>());
    }

    [Fact]
    public async Task AppUpdate_UserOnlyRoleOrUnknownScope_ExitThree_NoPermissionsOrNothing_ExitTwo()
    {
        var api = await CreateApiAsync();
        var apiAppId = api["appId"]!.GetValue<string>();
        var id = (await CreateAppAsync())["id"]!.GetValue<string>();

        var userRole = await server.Cli.RunAsync("app", "update", id, "--application", $"{apiAppId}:Orders.Approver");
        Assert.Equal(3, userRole.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(userRole.ErrorLines), StringComparison.Ordinal);

        var unknown = await server.Cli.RunAsync("app", "update", id, "--delegated", $"{apiAppId}:Orders.Delete");
        Assert.Equal(3, unknown.ExitCode);
        Assert.StartsWith("TSR7015:", Assert.Single(unknown.ErrorLines), StringComparison.Ordinal);

        var noPermissions = await server.Cli.RunAsync("app", "update", id, "--delegated", apiAppId);
        Assert.Equal(2, noPermissions.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(noPermissions.ErrorLines), StringComparison.Ordinal);

        var nothing = await server.Cli.RunAsync("app", "update", id);
        Assert.Equal(2, nothing.ExitCode);
        Assert.StartsWith("TSR7003:", Assert.Single(nothing.ErrorLines), StringComparison.Ordinal);

        var badClaims = await server.Cli.RunAsync("app", "update", id, "--group-claims", "DirectoryRole");
        Assert.Equal(2, badClaims.ExitCode);
    }
}
