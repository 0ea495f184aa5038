using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Policy.Admin;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ConditionalAccess;

/// <summary>
/// Conditional Access on the on-behalf-of flow: the downstream API's policies apply to the user's sign-in as the
/// middle tier's token shows it. A block refuses; a missing control answers <c>invalid_grant</c> with
/// <c>suberror</c> and <c>claims</c>, which Microsoft.Identity.Web turns into a claims challenge to the client.
/// </summary>
public sealed class OnBehalfOfConditionalAccessTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task OnBehalfOf_DownstreamRequiresMfa_InvalidGrantWithClaimsLogged50076()
    {
        var chain = await DelegationChain.ArrangeAsync(server, granted: "Orders.Read");
        var policy = await PolicyAsync("MFA for the downstream API", chain, """{ "operator": "OR", "builtInControls": ["mfa"] }""");

        var refused = await OnBehalfOfAsync(chain);

        refused.AssertError("invalid_grant", "TSR2076");
        Assert.Equal("basic_action", refused.Json.GetProperty("suberror").GetString());
        var claims = JsonNode.Parse(refused.Json.GetProperty("claims").GetString()!)!;
        Assert.Equal(policy, claims["access_token"]!["capolids"]!["values"]![0]!.GetValue<string>());
        Assert.Contains(chain.DownstreamApi.DisplayName, refused.ErrorDescription, StringComparison.Ordinal);
        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        var logged = await server.Directory.QueryAsync(db => db.SignInEvents.AsNoTracking().Where(e => e.UserId == chain.User.Id).ToListAsync());
        Assert.Contains(logged, e => e.ErrorCode == 50076 && !e.IsInteractive);
    }

    [Fact]
    public async Task OnBehalfOf_DownstreamBlocked_InvalidGrantTsr2075_OtherDownstreamStillServed()
    {
        var chain = await DelegationChain.ArrangeAsync(server, granted: "Orders.Read");
        var other = await DelegationChain.ArrangeAsync(server, granted: "Orders.Read");
        await PolicyAsync("Block the downstream API", chain, """{ "operator": "OR", "builtInControls": ["block"] }""");

        var refused = await OnBehalfOfAsync(chain);
        var served = await OnBehalfOfAsync(other);

        refused.AssertError("invalid_grant", "TSR2075");
        Assert.Contains("'Block the downstream API'", refused.ErrorDescription, StringComparison.Ordinal);
        served.AssertSuccess();
    }

    private async Task<TokenResponse> OnBehalfOfAsync(DelegationChain chain)
    {
        using var http = server.CreateHttpClient();
        return await TokenClient.PostAsync(http, server.TokenEndpoint,
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("client_id", chain.MiddleTier.AppId.ToString("D")),
            ("client_secret", chain.MiddleTierSecret), ("assertion", chain.UserToken), ("requested_token_use", "on_behalf_of"),
            ("scope", $"{chain.Downstream}/Orders.Read"));
    }

    private async Task<string> PolicyAsync(string name, DelegationChain chain, string grant)
    {
        using var admin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWriteConditionalAccess);
        var body = $$"""
            {
              "displayName": "{{name}}", "state": "enabled",
              "conditions": {
                "users": { "includeUsers": ["{{chain.User.Id}}"] },
                "applications": { "includeApplications": ["{{chain.DownstreamApi.AppId}}"] }
              },
              "grantControls": {{grant}}
            }
            """;
        var (status, created) = await admin.JsonAsync(HttpMethod.Post, "identity/conditionalAccess/policies", JsonNode.Parse(body)!.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, $"{(int)status}: {created?.ToJsonString()}");
        return created!["id"]!.GetValue<string>();
    }
}
