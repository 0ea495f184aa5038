using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Protection;

/// <summary>What the sign-in protection tests do to a server: set the password protection policy, read logs and detections.</summary>
internal static class SignInProtectionSetup
{
    public static async Task SetPolicyAsync(TesseraServerFixture server, object change)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var response = await admin.SendAsync(HttpMethod.Patch, "policies/passwordProtectionPolicy", change);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until every sign-in so far is in the database (the log writes in the background).</summary>
    public static Task FlushSignInsAsync(TesseraServerFixture server)
        => server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();

    public static async Task<JsonArray> SignInsAsync(TesseraServerFixture server, string filter)
    {
        await FlushSignInsAsync(server);
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, json) = await admin.JsonAsync(HttpMethod.Get, $"auditLogs/signIns?$filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.OK, status);
        return json!["value"]!.AsArray();
    }

    public static async Task<JsonArray> RiskDetectionsAsync(TesseraServerFixture server, string? filter = null)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, json) = await admin.JsonAsync(HttpMethod.Get,
            "identityProtection/riskDetections" + (filter is null ? string.Empty : "?$filter=" + Uri.EscapeDataString(filter)));
        Assert.True(status == HttpStatusCode.OK, json?.ToJsonString());
        return json!["value"]!.AsArray();
    }

    /// <summary>The one failure page: the same words whatever went wrong.</summary>
    public static void AssertRefused(SignInPageResult result)
    {
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.False(result.SignedIn);
        Assert.Contains("The user name or password is incorrect.", result.Body, StringComparison.Ordinal);
    }

    public static void AssertSignedIn(SignInPageResult result)
        => Assert.True(result.SignedIn, $"Expected a signed-in redirect, got {(int)result.Status}: {(result.Body.Length > 300 ? result.Body[..300] : result.Body)}");
}
