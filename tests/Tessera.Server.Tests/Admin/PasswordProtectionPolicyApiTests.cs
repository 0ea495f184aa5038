using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>
/// <c>/policies/passwordProtectionPolicy</c> and the password rules as the admin API applies them: every password set
/// through it (user creation, password reset) is checked against the built-in lists, the tenant's and the user's own
/// names, and the tenant's banned list; a refusal is 400 with the reason and writes nothing.
/// </summary>
public sealed class PasswordProtectionPolicyApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Policy = "policies/passwordProtectionPolicy";

    private string NewUserName() => $"pp{Guid.NewGuid():N}"[..12] + "@" + server.Bootstrap.Domain;

    private static object NewUser(string userName, string password, string displayName = "Policy Person")
        => new { displayName, userPrincipalName = userName, passwordProfile = new { password } };

    [Fact]
    public async Task Get_Defaults()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var policy = await admin.GetVersionedAsync(Policy);
        Assert.Equal("passwordProtectionPolicy", policy["id"]!.GetValue<string>());
        Assert.Equal(12, policy["minimumPasswordLength"]!.GetValue<int>());
        Assert.Equal(256, policy["maximumPasswordLength"]!.GetValue<int>());
        Assert.True(policy["enableBannedPasswordCheck"]!.GetValue<bool>());
        Assert.NotNull(policy["bannedPasswordList"]);
        Assert.NotNull(policy["lockoutThreshold"]);
        Assert.NotNull(policy["lockoutDurationInSeconds"]);
    }

    [Fact]
    public async Task Patch_BannedList_EnforcedOnCreateAndReset_AuditedWithoutTheWords()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, _) = await admin.JsonAsync(HttpMethod.Patch, Policy, new { bannedPasswordList = new[] { "Fabrikam", "  widgets  ", "WIDGETS" }, enableBannedPasswordCheck = true });
        Assert.Equal(HttpStatusCode.NoContent, status);
        try
        {
            var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
            Assert.Equal(["Fabrikam", "widgets"], policy!["bannedPasswordList"]!.AsArray().Select(w => w!.GetValue<string>()));

            // Refused at creation, nothing written.
            var before = await server.Directory.QueryAsync(db => db.Users.CountAsync());
            GraphAssert.Error(HttpStatusCode.BadRequest, "TSR5011",
                await admin.JsonAsync(HttpMethod.Post, "users", NewUser(NewUserName(), "f4brikam makes gadgets")));
            Assert.Equal(before, await server.Directory.QueryAsync(db => db.Users.CountAsync()));

            // Refused at reset, password unchanged.
            var (_, created) = await admin.JsonAsync(HttpMethod.Post, "users", NewUser(NewUserName(), "tram orbit velvet canyon"));
            var id = created!["id"]!.GetValue<string>();
            GraphAssert.Error(HttpStatusCode.BadRequest, "TSR5011",
                await admin.JsonAsync(HttpMethod.Patch, $"users/{id}", new { passwordProfile = new { password = "cheap widget factory" } }));
            var (_, read) = await admin.JsonAsync(HttpMethod.Get, $"users/{id}");
            Assert.Equal(created["@odata.etag"]!.GetValue<string>(), read!["@odata.etag"]!.GetValue<string>());

            // Not enforced: allowed.
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, new { enableBannedPasswordCheck = false })).Status);
            Assert.Equal(HttpStatusCode.Created, (await admin.JsonAsync(HttpMethod.Post, "users", NewUser(NewUserName(), "f4brikam makes gadgets"))).Status);

            var audit = await AdminAudit.ForTargetAsync(server, "passwordProtectionPolicy");
            Assert.Contains(audit, e => e["activityDisplayName"]!.GetValue<string>() == "Update password protection policy");
            Assert.DoesNotContain("Fabrikam", string.Join("\n", audit.Select(e => e.ToJsonString())), StringComparison.Ordinal);
        }
        finally
        {
            await admin.JsonAsync(HttpMethod.Patch, Policy, new { bannedPasswordList = Array.Empty<string>(), enableBannedPasswordCheck = true });
        }
    }

    [Theory]
    [InlineData("Password2024!", "TSR5004", "common word")]
    [InlineData("elevenchars", "TSR5001", "at least 12 characters")]
    [InlineData("qwertyuiopasdf", "TSR5009", "neighbouring keys")]
    [InlineData("GoSeaHawks2022!", "TSR5008", "sports team")]
    [InlineData("welcome to my house", "TSR5007", "'welcome'")]
    [InlineData("Tessera4Ever2024", "TSR5005", "organisation's name")]
    [InlineData("Policy Person rules!", "TSR5006", "user's name")]
    public async Task Create_PasswordBreaksARule_400WithTheReason_NothingWritten(string password, string code, string reason)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await server.Directory.QueryAsync(db => db.Users.CountAsync());
        var (status, error) = await admin.JsonAsync(HttpMethod.Post, "users", NewUser(NewUserName(), password));
        GraphAssert.Error(HttpStatusCode.BadRequest, code, (status, error));
        var message = error!["error"]!["message"]!.GetValue<string>();
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains("passwordProfile.password", message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await server.Directory.QueryAsync(db => db.Users.CountAsync()));
    }

    [Theory]
    [InlineData("{\"lockoutThreshold\":2}", "TSR5035")]
    [InlineData("{\"lockoutThreshold\":101}", "TSR5035")]
    [InlineData("{\"lockoutThreshold\":\"10\"}", "TSR5035")]
    [InlineData("{\"lockoutThreshold\":10.5}", "TSR5035")]
    [InlineData("{\"lockoutThreshold\":null}", "TSR5035")]
    [InlineData("{\"lockoutDurationInSeconds\":4}", "TSR5036")]
    [InlineData("{\"lockoutDurationInSeconds\":86401}", "TSR5036")]
    [InlineData("{\"enableBannedPasswordCheck\":\"yes\"}", "TSR5034")]
    [InlineData("{\"bannedPasswordList\":\"fabrikam\"}", "TSR5031")]
    [InlineData("{\"bannedPasswordList\":[1,2]}", "TSR5031")]
    [InlineData("{\"bannedPasswordList\":[\"abc\"]}", "TSR5033")]
    [InlineData("{\"bannedPasswordList\":[\"fine\",\"26896\"]}", "TSR5033")]
    [InlineData("{\"bannedPasswordList\":[\"ok words\",\"" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + "\"]}", "TSR5033")]
    [InlineData("{\"minimumPasswordLength\":8}", "TSR5030")]
    [InlineData("{\"lockoutThreshold\":5,\"smartLockout\":true}", "TSR5030")]
    [InlineData("{\"id\":\"another\"}", "TSR5030")]
    [InlineData("[1]", "TSR3018")]
    [InlineData("{not json", "TSR3018")]
    public async Task Patch_BadInput_400AndNothingChanged(string body, string code)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, before) = await admin.JsonAsync(HttpMethod.Get, Policy);
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Patch, Policy, body));
        var (_, after) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.True(JsonNode.DeepEquals(before, after), after!.ToJsonString());
    }

    [Fact]
    public async Task Patch_TooManyBannedWords_400()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var words = Enumerable.Range(0, 1001).Select(i => $"word{i:D4}x").ToArray();
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR5032", await admin.JsonAsync(HttpMethod.Patch, Policy, new { bannedPasswordList = words }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, new { bannedPasswordList = words[..1000] })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, new { bannedPasswordList = Array.Empty<string>() })).Status);
    }

    [Fact]
    public async Task Patch_SentBackAsRead_NoChange204()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, policy!.ToJsonString())).Status);
    }

    [Fact]
    public async Task Patch_StaleIfMatch_412AndNothingChanged()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        using var read = await admin.SendAsync(HttpMethod.Get, Policy);
        var etag = read.Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, new { lockoutThreshold = 11 }, etag)).Status);
        GraphAssert.Error(HttpStatusCode.PreconditionFailed, "TSR4006", await admin.JsonAsync(HttpMethod.Patch, Policy, new { lockoutThreshold = 12 }, etag));
        var (_, policy) = await admin.JsonAsync(HttpMethod.Get, Policy);
        Assert.Equal(11, policy!["lockoutThreshold"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, Policy, new { lockoutThreshold = 10 })).Status);
    }

    [Fact]
    public async Task Permissions_ReadWithPolicyRead_WriteNeedsAuthenticationMethod()
    {
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadAll);
        Assert.Equal(HttpStatusCode.OK, (await reader.JsonAsync(HttpMethod.Get, Policy)).Status);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Patch, Policy, new { lockoutThreshold = 10 }));

        using var writer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteAuthenticationMethod);
        Assert.Equal(HttpStatusCode.NoContent, (await writer.JsonAsync(HttpMethod.Patch, Policy, new { lockoutThreshold = 10 })).Status);
    }
}
