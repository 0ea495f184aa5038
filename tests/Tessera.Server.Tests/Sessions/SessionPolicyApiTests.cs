using System.Net;
using System.Text.Json.Nodes;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sessions;

/// <summary><c>/policies/sessionPolicy</c>. Tests that change it put the server defaults back.</summary>
public sealed class SessionPolicyApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Policy = "policies/sessionPolicy";

    private static readonly object Defaults = new { idleTimeout = (string?)null, absoluteTimeout = (string?)null };

    [Fact]
    public async Task Get_ServerDefaults_EffectiveValuesAndETag()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadAll);
        var policy = await reader.GetVersionedAsync(Policy);
        Assert.Equal("sessionPolicy", policy["id"]!.GetValue<string>());
        Assert.Null(policy["idleTimeout"]);
        Assert.Null(policy["absoluteTimeout"]);
        Assert.Equal("PT1H", policy["effectiveIdleTimeout"]!.GetValue<string>());
        Assert.Equal("PT12H", policy["effectiveAbsoluteTimeout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_SetThenReset_AuditedAndSentBackWholeIsAccepted()
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, new { idleTimeout = "PT30M", absoluteTimeout = "PT8H" })).Status);
            var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
            Assert.Equal("PT30M", policy!["idleTimeout"]!.GetValue<string>());
            Assert.Equal("PT8H", policy["effectiveAbsoluteTimeout"]!.GetValue<string>());

            // What GET returned, sent back as it is, changes nothing and is fine.
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, policy)).Status);

            var audit = await AdminAudit.ForTargetAsync(server, "sessionPolicy");
            var entry = Assert.Single(audit, e => e["activityDisplayName"]!.GetValue<string>() == "Update session policy");
            Assert.Contains("PT30M", entry.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, Defaults)).Status);
        }

        var (_, reset) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.Null(reset!["idleTimeout"]);
        Assert.Equal("PT1H", reset["effectiveIdleTimeout"]!.GetValue<string>());
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"idleTimeout":"PT1M"}""", "TSR5301" },
        { """{"idleTimeout":"one hour"}""", "TSR5301" },
        { """{"idleTimeout":60}""", "TSR5301" },
        { """{"absoluteTimeout":"P60D"}""", "TSR5302" },
        { """{"absoluteTimeout":"PT10M"}""", "TSR5302" },
        { """{"idleTimeout":"PT2H","absoluteTimeout":"PT1H"}""", "TSR5303" },
        { """{"signInFrequency":"PT1H"}""", "TSR5304" },
        { """{"id":"somethingElse"}""", "TSR5304" },
        { """[1,2]""", "TSR3000" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Patch_BadBody_400WithCodeAndNothingChanges(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, before) = await admin.JsonAsync(HttpMethod.Get, Policy);
        var response = await admin.JsonAsync(HttpMethod.Patch, Policy, JsonNode.Parse(body));
        if (code == "TSR3000")
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        }
        else
        {
            GraphAssert.Error(HttpStatusCode.BadRequest, code, response);
        }

        var (_, after) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.Equal(before!.ToJsonString(), after!.ToJsonString());
    }

    [Fact]
    public async Task Patch_StaleIfMatch_412()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006",
            await admin.JsonAsync(HttpMethod.Patch, Policy, new { idleTimeout = "PT20M" }, ifMatch: "W/\"00000000000000000000000000000000\""));
    }

    [Fact]
    public async Task Patch_ReadOnlyCaller_403()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadAll);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Patch, Policy, new { idleTimeout = "PT20M" }));
    }
}
