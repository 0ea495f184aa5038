using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Credentials;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class CredentialHygieneTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Policy = "policies/defaultAppManagementPolicy";
    private const string Expiring = "applications/expiringCredentials";

    private static async Task<(string Id, string AppId)> CreateAppAsync(AdminClient admin)
    {
        var (status, app) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "hygiene " + Guid.NewGuid().ToString("N")[..8] });
        Assert.Equal(HttpStatusCode.Created, status);
        return (app!["id"]!.GetValue<string>(), app["appId"]!.GetValue<string>());
    }

    private static async Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Json)> AddSecretAsync(AdminClient admin, string id, int days)
        => await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/addPassword",
            new { passwordCredential = new { displayName = $"{days} days", endDateTime = DateTimeOffset.UtcNow.AddDays(days).ToString("o") } });

    private static X509Certificate2 Certificate(int days)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=hygiene", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(days));
    }

    private static async Task SetPolicyAsync(AdminClient admin, bool forbidSecrets)
    {
        object[] restrictions = forbidSecrets
            ? [new { restrictionType = "passwordLifetime", maxLifetime = "P730D" }, new { restrictionType = "passwordAddition", maxLifetime = (string?)null }]
            : [new { restrictionType = "passwordLifetime", maxLifetime = "P730D" }];
        var response = await admin.SendAsync(HttpMethod.Patch, Policy, new { applicationRestrictions = new { passwordCredentials = restrictions } });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task ExpiringCredentials_WithinWindow_ListedSoonestFirstWithDaysLeft()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (id, appId) = await CreateAppAsync(admin);
        var (_, soon) = await AddSecretAsync(admin, id, 10);
        await AddSecretAsync(admin, id, 120);
        using var certificate = Certificate(20);
        await server.Directory.AddCertificateAsync(Guid.Parse(appId), certificate);

        var (status, list) = await admin.JsonAsync(HttpMethod.Get, Expiring + "?withinDays=30");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(30, list!["withinDays"]!.GetValue<int>());
        var mine = list["value"]!.AsArray().Where(c => c!["applicationId"]!.GetValue<string>() == id).ToList();
        Assert.Equal(["password", "certificate"], mine.Select(c => c!["credentialType"]!.GetValue<string>()));
        Assert.Equal(soon!["keyId"]!.GetValue<string>(), mine[0]!["keyId"]!.GetValue<string>());
        Assert.InRange(mine[0]!["daysLeft"]!.GetValue<int>(), 9, 10);
        Assert.InRange(mine[1]!["daysLeft"]!.GetValue<int>(), 19, 20);
        Assert.False(mine[0]!["expired"]!.GetValue<bool>());
        Assert.Equal(appId, mine[0]!["appId"]!.GetValue<string>());
        Assert.DoesNotContain("secretText", list.ToJsonString(), StringComparison.Ordinal);

        var (_, wide) = await admin.JsonAsync(HttpMethod.Get, Expiring + "?withinDays=200");
        Assert.Equal(3, wide!["value"]!.AsArray().Count(c => c!["applicationId"]!.GetValue<string>() == id));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("731")]
    [InlineData("30d")]
    [InlineData("-1")]
    [InlineData("")]
    public async Task ExpiringCredentials_BadWindow_400(string days)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var path = days.Length == 0 ? Expiring + "?withinDays=1&withinDays=2" : Expiring + "?withinDays=" + days;
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR8202", await admin.JsonAsync(HttpMethod.Get, path));
    }

    [Fact]
    public async Task ExpiryNotice_OncePerCredential_AuditedWithoutTheSecret()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (id, _) = await CreateAppAsync(admin);
        var (_, soon) = await AddSecretAsync(admin, id, 5);
        var (_, later) = await AddSecretAsync(admin, id, 300);
        var notices = server.App.Web.Services.GetRequiredService<CredentialExpiryNotices>();

        await notices.RunOnceAsync(default);
        await notices.RunOnceAsync(default);

        var entries = await server.Directory.QueryAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.ActivityDisplayName == CredentialExpiryNotices.Activity).Select(e => e.TargetResources).ToListAsync());
        var soonKey = soon!["keyId"]!.GetValue<string>();
        var forSoon = Assert.Single(entries, e => e.Contains(soonKey, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("expires in", forSoon, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Contains(later!["keyId"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(soon["secretText"]!.GetValue<string>(), forSoon, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_PasswordAddition_NoNewSecretsButCertificatesAndFederation()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (id, _) = await CreateAppAsync(admin);
        await SetPolicyAsync(admin, forbidSecrets: true);
        try
        {
            var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
            Assert.Equal(["passwordLifetime", "passwordAddition"],
                policy!["applicationRestrictions"]!["passwordCredentials"]!.AsArray().Select(r => r!["restrictionType"]!.GetValue<string>()));

            GraphAssert.Error(HttpStatusCode.BadRequest, "TSR8201", await AddSecretAsync(admin, id, 30));
            var (status, _) = await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/federatedIdentityCredentials",
                new { name = "ci-main", issuer = "https://token.actions.githubusercontent.com", subject = "repo:org/app:ref:refs/heads/main" });
            Assert.Equal(HttpStatusCode.Created, status);
            var (_, app) = await admin.JsonAsync(HttpMethod.Get, $"applications/{id}");
            Assert.Empty(app!["passwordCredentials"]!.AsArray());
        }
        finally
        {
            await SetPolicyAsync(admin, forbidSecrets: false);
        }

        var (allowed, _) = await AddSecretAsync(admin, id, 30);
        Assert.Equal(HttpStatusCode.OK, allowed);
    }

    [Theory]
    [InlineData("""{"applicationRestrictions":{"passwordCredentials":[{"restrictionType":"passwordAddition"}]}}""")]
    [InlineData("""{"applicationRestrictions":{"passwordCredentials":[{"restrictionType":"passwordLifetime","maxLifetime":"P30D"},{"restrictionType":"passwordAddition","maxLifetime":"P30D"}]}}""")]
    [InlineData("""{"applicationRestrictions":{"passwordCredentials":[{"restrictionType":"passwordLifetime","maxLifetime":"P30D"},{"restrictionType":"passwordAddition"},{"restrictionType":"passwordAddition"}]}}""")]
    public async Task Policy_PasswordAdditionMalformed_400AndNothingChanged(string body)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3069", await admin.JsonAsync(HttpMethod.Patch, Policy, body));
        var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.Single(policy!["applicationRestrictions"]!["passwordCredentials"]!.AsArray());
    }
}
