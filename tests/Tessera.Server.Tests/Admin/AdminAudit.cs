using System.Net;
using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>Reads the audit log through the admin API, as an auditor would.</summary>
public static class AdminAudit
{
    /// <summary>The entries whose first target is <paramref name="targetId"/>, oldest first.</summary>
    public static async Task<List<JsonNode>> ForTargetAsync(TesseraServerFixture server, string targetId)
    {
        using var auditor = await AdminClient.BootstrapAsync(server);
        var (status, page) = await auditor.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits?$top=999");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. page!["value"]!.AsArray()
            .Where(e => string.Equals(e!["targetResources"]![0]!["id"]!.GetValue<string>(), targetId, StringComparison.OrdinalIgnoreCase))
            .Select(e => e!)];
    }

    /// <summary>The whole log as text, to show that something never appears in it.</summary>
    public static async Task<string> AllTextAsync(TesseraServerFixture server)
    {
        using var auditor = await AdminClient.BootstrapAsync(server);
        var (_, page) = await auditor.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits?$top=999");
        return page!.ToJsonString();
    }
}
