using System.Net;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class AuditLogApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task Verify_EditedRowInDatabase_NamesTheFirstBrokenEntry()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        for (var i = 0; i < 4; i++)
        {
            await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = $"chain {i}" });
        }

        var (_, intact) = await admin.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits/verify");
        Assert.True(intact!["intact"]!.GetValue<bool>());

        // Someone with database access rewrites history.
        var target = await server.Directory.QueryAsync(db => db.AuditEntries.Where(e => e.TenantId == server.TenantId).OrderBy(e => e.Sequence).Skip(1).FirstAsync());
        await server.Directory.QueryAsync(db => db.AuditEntries.Where(e => e.Id == target.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ActivityDisplayName, "Nothing to see here")));

        var (_, broken) = await admin.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits/verify");
        Assert.False(broken!["intact"]!.GetValue<bool>());
        Assert.Equal(target.Sequence, broken["firstBrokenSequence"]!.GetValue<long>());

        // Put history back for the other tests of this server.
        await server.Directory.QueryAsync(db => db.AuditEntries.Where(e => e.Id == target.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ActivityDisplayName, target.ActivityDisplayName)));
    }

    [Fact]
    public async Task List_WithoutAuditPermission_403()
    {
        using var caller = await AdminClient.WithPermissionsAsync(server, Tessera.Policy.Admin.AdminPermissions.ApplicationReadWriteAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await caller.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits"));
    }

    [Fact]
    public async Task List_Filtered_ReturnsChainFields()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "for the log" });
        var (status, page) = await admin.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits?$filter=activityDisplayName eq 'Add application'&$top=5");
        Assert.Equal(HttpStatusCode.OK, status);
        var entry = page!["value"]![0]!;
        Assert.Equal(64, entry["hash"]!.GetValue<string>().Length);
        Assert.True(entry["sequence"]!.GetValue<long>() >= 1);
    }

    [Fact]
    public async Task ConcurrentChangesToDifferentObjects_AllSucceedAndTheChainHolds()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = $"parallel {i}" })));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));

        var (_, verification) = await admin.JsonAsync(HttpMethod.Get, "auditLogs/directoryAudits/verify");
        Assert.True(verification!["intact"]!.GetValue<bool>(), verification.ToJsonString());
    }
}
