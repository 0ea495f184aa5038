using System.Net;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Protection.SignInProtectionSetup;

namespace Tessera.Server.Tests.Protection;

/// <summary>A server with the real spray detection (rate limits raised, so that the spray reaches the detector).</summary>
public sealed class SprayServerFixture : TesseraServerFixture
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Tessera:SignInProtection:SprayAccountsThreshold=10",
        "--Tessera:SignInProtection:SprayWindow=00:10:00",
    ];
}

/// <summary>
/// A password spray over real HTTP: four sources (127.0.0.2–5) try every account of the tenant, and some that do not
/// exist, with the passwords sprays use. No account falls; each source is detected (a passwordSpray risk detection in
/// the admin API) and then blocked, even with a right password, for accounts it is not familiar to; the legitimate
/// user at their usual source signs in throughout.
/// </summary>
public sealed class SpraySimulationTests(SprayServerFixture server) : IClassFixture<SprayServerFixture>
{
    private static readonly string[] SprayPasswords = ["Summer2024!", "Welcome123!", "Password1!", "Winter2025!!"];

    [Fact]
    public async Task Spray_NoAccountFalls_DetectedAndBlocked_LegitimateUserStillSignsIn()
    {
        var victim = await server.Directory.CreateUserAsync();
        var accounts = new List<string> { victim.UserName! };
        for (var i = 0; i < 14; i++)
        {
            accounts.Add((await server.Directory.CreateUserAsync()).UserName!);
        }

        accounts.AddRange(Enumerable.Range(0, 4).Select(i => $"nobody{i}@{server.Bootstrap.Domain}"));
        using var home = new SignInPageClient(server, SignInPageClient.Loopback(1));
        AssertSignedIn(await home.SignInAsync(victim.UserName!, TestDirectory.Password));
        await FlushSignInsAsync(server);

        var sources = Enumerable.Range(2, 4).Select(SignInPageClient.Loopback).ToList();
        var attacks = sources.Select(source => Task.Run(async () =>
        {
            using var attacker = new SignInPageClient(server, source);
            var results = new List<SignInPageResult>();
            foreach (var password in SprayPasswords)
            {
                foreach (var account in accounts)
                {
                    results.Add(await attacker.SignInAsync(account, password));
                }
            }

            return results;
        })).ToList();

        // The person signs in at their usual place while the spray is under way.
        var duringAttack = await home.SignInAsync(victim.UserName!, TestDirectory.Password);
        var attempts = (await Task.WhenAll(attacks)).SelectMany(r => r).ToList();
        AssertSignedIn(duringAttack);
        Assert.All(attempts, AssertRefused);

        // Detected: one passwordSpray detection per source, naming how many accounts it tried.
        await FlushSignInsAsync(server);
        var detections = await RiskDetectionsAsync(server, "riskEventType eq 'passwordSpray'");
        foreach (var source in sources)
        {
            var detection = Assert.Single(detections, d => d!["ipAddress"]!.GetValue<string>() == source.ToString());
            Assert.Equal("atRisk", detection!["riskState"]!.GetValue<string>());
            Assert.Equal("signin", detection["activity"]!.GetValue<string>());
            Assert.InRange(detection["targetedAccountsCount"]!.GetValue<int>(), 10, accounts.Count);
            Assert.Contains(detection["riskLevel"]!.GetValue<string>(), new[] { "medium", "high" });
        }

        // Blocked: even the victim's right password from a spraying source is refused, and logged as such.
        using (var attacker = new SignInPageClient(server, sources[0]))
        {
            AssertRefused(await attacker.SignInAsync(victim.UserName!, TestDirectory.Password));
        }

        var blocked = await SignInsAsync(server, $"userId eq '{victim.Id}' and ipAddress eq '{sources[0]}'");
        Assert.Contains(blocked, e => e!["status"]!["errorCode"]!.GetValue<int>() == 50053 &&
                                      e["status"]!["failureReason"]!.GetValue<string>() == "Sign-in was blocked because it came from an IP address with malicious activity");

        // The legitimate user still gets in from home after the attack, and no attempt of the attacker ever succeeded.
        AssertSignedIn(await home.SignInAsync(victim.UserName!, TestDirectory.Password));
        foreach (var source in sources)
        {
            Assert.Empty(await SignInsAsync(server, $"ipAddress eq '{source}' and result eq 'success'"));
        }
    }

    [Theory]
    [InlineData("$filter=riskLevel eq", "TSR4005")]
    [InlineData("$filter=userPassword eq 'x'", "TSR4005")]
    [InlineData("$top=0", "TSR4005")]
    [InlineData("$top=abc", "TSR4005")]
    public async Task RiskDetections_BadQuery_400(string query, string code)
    {
        using var admin = await Admin.AdminClient.BootstrapAsync(server);
        Admin.GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Get, "identityProtection/riskDetections?" + query));
    }

    [Fact]
    public async Task RiskDetections_UnknownId_404()
    {
        using var admin = await Admin.AdminClient.BootstrapAsync(server);
        Admin.GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"identityProtection/riskDetections/{Guid.NewGuid()}"));
        Admin.GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, "identityProtection/riskDetections/not-a-guid"));
    }

    [Fact]
    public async Task RiskDetections_WithoutIdentityRiskEventRead_403()
    {
        using var admin = await Admin.AdminClient.WithPermissionsAsync(server, Tessera.Policy.Admin.AdminPermissions.DirectoryReadAll);
        var (status, _) = await admin.JsonAsync(HttpMethod.Get, "identityProtection/riskDetections");
        Assert.Equal(HttpStatusCode.Forbidden, status);

        using var reader = await Admin.AdminClient.WithPermissionsAsync(server, Tessera.Policy.Admin.AdminPermissions.IdentityRiskEventReadAll);
        var (allowed, _) = await reader.JsonAsync(HttpMethod.Get, "identityProtection/riskDetections");
        Assert.Equal(HttpStatusCode.OK, allowed);
    }
}
