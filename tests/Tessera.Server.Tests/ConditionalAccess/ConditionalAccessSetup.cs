using System.Net;
using System.Text.Json.Nodes;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ConditionalAccess;

/// <summary>Conditional Access policies and authentication contexts, created through the admin API as an administrator would.</summary>
internal static class ConditionalAccessSetup
{
    public const string Block = """{ "operator": "OR", "builtInControls": ["block"] }""";
    public const string Mfa = """{ "operator": "OR", "builtInControls": ["mfa"] }""";

    /// <summary>Creates a policy with <paramref name="conditions"/> (the members of Graph's <c>conditions</c>); returns its id.</summary>
    public static async Task<string> PolicyAsync(TesseraServerFixture server, string name, string conditions, string grant, string state = "enabled")
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var body = $$"""
            { "displayName": "{{name}}", "state": "{{state}}", "conditions": { {{conditions}} }, "grantControls": {{grant}} }
            """;
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/policies", JsonNode.Parse(body)!.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!["id"]!.GetValue<string>();
    }

    /// <summary>Makes <paramref name="context"/> available and asks <paramref name="userId"/> for MFA on it.</summary>
    public static async Task RequireMfaForContextAsync(TesseraServerFixture server, string context, Guid userId)
    {
        using (var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess))
        {
            var (status, _) = await admin.JsonAsync(HttpMethod.Patch, $"identity/conditionalAccess/authenticationContextClassReferences/{context}",
                new { displayName = "Sensitive " + context, isAvailable = true });
            Assert.True(status is HttpStatusCode.NoContent or HttpStatusCode.Created or HttpStatusCode.OK, status.ToString());
        }

        await PolicyAsync(server, $"MFA for {context} {userId:N}",
            $$""" "users": { "includeUsers": ["{{userId}}"] }, "applications": { "includeAuthenticationContextClassReferences": ["{{context}}"] } """, Mfa);
    }
}
