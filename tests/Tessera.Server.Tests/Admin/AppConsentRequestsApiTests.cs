using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Consent;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>
/// <c>/identityGovernance/appConsent/appConsentRequests</c>: what users asked administrators to approve, and what
/// approving does (a grant for everyone: nobody of the tenant is asked again) or denying.
/// </summary>
public sealed class AppConsentRequestsApiTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string Requests = "identityGovernance/appConsent/appConsentRequests";

    private Task<Application> RegisterApiAsync() => server.Directory.RegisterApiAsync("api://requests-" + Guid.NewGuid().ToString("N")[..8]);

    private Task<Application> RegisterClientAsync() => server.Directory.RegisterAsync(new NewApplication("requesting app " + Guid.NewGuid().ToString("N")[..6]));

    /// <summary>A request as the consent page leaves it, written straight into the directory.</summary>
    private async Task<Guid> RequestAsync(Guid clientId, Guid resourceId, string scope, Guid? requestedBy = null)
    {
        var userId = requestedBy ?? (await server.Directory.CreateUserAsync()).Id;
        var id = Guid.NewGuid();
        await server.Directory.QueryAsync(db =>
        {
            db.AdminConsentRequests.Add(new AdminConsentRequest
            {
                Id = id, TenantId = server.TenantId, ClientId = clientId, ResourceId = resourceId, Scope = scope, RequestedById = userId,
                Reason = "for my work", Status = AdminConsentRequestStatuses.InProgress, CreatedDateTime = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });
        return id;
    }

    private Task<string?> AllPrincipalsScopeAsync(Guid clientId, Guid resourceId)
        => server.Directory.QueryAsync(db => db.OAuth2PermissionGrants
            .Where(g => g.ClientId == clientId && g.ResourceId == resourceId && g.PrincipalId == Guid.Empty)
            .Select(g => g.Scope).FirstOrDefaultAsync());

    private static List<string> Activities(IEnumerable<JsonNode> entries) => [.. entries.Select(e => e["activityDisplayName"]!.GetValue<string>())];

    [Fact]
    public async Task Approve_RequestFromTheConsentPage_GrantsForEveryone_ThenAnotherUserIsNotAsked()
    {
        await server.Directory.SetUserConsentPolicyAsync(UserConsentPolicies.None);
        var api = await RegisterApiAsync();
        var identifier = api.IdentifierUris[0];
        var client = await CodeFlowClient.RegisterAsync(server);
        var requester = await server.Directory.CreateUserAsync();
        var scope = $"openid {identifier}/Orders.Read";

        // The user may not consent, so asks an administrator.
        using (var browser = new UserAgent(server))
        {
            var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(Pkce.Create(), scope), requester.UserName);
            Assert.Contains("id=\"request-approval\"", outcome.Body, StringComparison.Ordinal);
            var sent = await browser.SubmitAsync(outcome.LastResponse, outcome.Body!, [new("decision", "request"), new("reason", "Quarterly report")]);
            Assert.Equal(HttpStatusCode.SeeOther, sent.StatusCode);
        }

        using var reviewer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        var (status, page) = await reviewer.JsonAsync(HttpMethod.Get, $"{Requests}?$filter=status eq 'InProgress' and appId eq '{client.Application.AppId}'");
        Assert.Equal(HttpStatusCode.OK, status);
        var pending = page!["value"]!.AsArray().Select(r => r!).ToList();
        Assert.Equal(2, pending.Count); // the sign-in scopes (on the admin API) and the API's
        var forApi = Assert.Single(pending, r => r["resourceId"]!.GetValue<string>() == api.AppId.ToString());
        Assert.Equal(client.Application.DisplayName, forApi["appDisplayName"]!.GetValue<string>());
        Assert.Equal(api.DisplayName, forApi["resourceDisplayName"]!.GetValue<string>());
        Assert.Equal("Orders.Read", Assert.Single(forApi["pendingScopes"]!.AsArray())!["displayName"]!.GetValue<string>());
        Assert.Equal("Quarterly report", forApi["reason"]!.GetValue<string>());
        Assert.Equal(requester.Id.ToString(), forApi["requestedBy"]!["id"]!.GetValue<string>());
        Assert.Equal(requester.UserName, forApi["requestedBy"]!["userPrincipalName"]!.GetValue<string>());
        Assert.Null(forApi["reviewedBy"]);
        Assert.Null(forApi["reviewedDateTime"]);

        foreach (var request in pending)
        {
            var (approvedStatus, approved) = await reviewer.JsonAsync(HttpMethod.Post, $"{Requests}/{request["id"]!.GetValue<string>()}/approve");
            Assert.True(approvedStatus == HttpStatusCode.OK, approved?.ToJsonString());
            Assert.Equal("Approved", approved!["status"]!.GetValue<string>());
            Assert.Equal(reviewer.ClientId.ToString(), approved["reviewedBy"]!["id"]!.GetValue<string>());
            Assert.NotNull(approved["reviewedDateTime"]);
        }

        Assert.Equal("Orders.Read", await AllPrincipalsScopeAsync(client.Application.AppId, api.AppId));

        // Anyone of the tenant now signs in without a consent page, the requester included.
        foreach (var user in new[] { await server.Directory.CreateUserAsync(), requester })
        {
            var pkce = Pkce.Create();
            using var browser = new UserAgent(server);
            var outcome = await browser.AuthorizeAsync(client.AuthorizeUrl(pkce, scope), user.UserName, consent: false);
            Assert.True(outcome.Query.ContainsKey("code"), outcome.ErrorText);
            Assert.DoesNotContain(browser.History, h => h.Url.Contains("/account/consent", StringComparison.OrdinalIgnoreCase));
            using var http = server.CreateHttpClient();
            var tokens = await client.RedeemAsync(http, outcome.Query["code"], pkce.Verifier);
            tokens.AssertSuccess();
            Assert.Equal("Orders.Read", tokens.Access.GetClaim("scp").Value);
        }

        var activities = Activities(await AdminAudit.ForTargetAsync(server, client.Application.AppId.ToString()));
        Assert.Equal(2, activities.Count(a => a == "Approve admin consent request"));
        Assert.Equal(2, activities.Count(a => a == "Add delegated permission grant"));

        // Decided once.
        var again = await reviewer.JsonAsync(HttpMethod.Post, $"{Requests}/{forApi["id"]!.GetValue<string>()}/approve");
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3102", again);
        Assert.Contains("Approved", again.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3102", await reviewer.JsonAsync(HttpMethod.Post, $"{Requests}/{forApi["id"]!.GetValue<string>()}/deny"));
    }

    [Fact]
    public async Task Approve_ExistingGrantForEveryone_IsWidened_AndAudited()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        await server.Directory.GrantConsentAsync(client.AppId, api.AppId, "Orders.ReadWrite");
        var id = await RequestAsync(client.AppId, api.AppId, "Orders.Read");
        using var admin = await AdminClient.BootstrapAsync(server);

        Assert.Equal(HttpStatusCode.OK, (await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/approve")).Status);

        Assert.Equal("Orders.ReadWrite Orders.Read", await AllPrincipalsScopeAsync(client.AppId, api.AppId));
        var entries = await AdminAudit.ForTargetAsync(server, client.AppId.ToString());
        var update = entries.Single(e => e["activityDisplayName"]!.GetValue<string>() == "Update delegated permission grant");
        var scope = update["targetResources"]![0]!["modifiedProperties"]!.AsArray().Single(p => p!["displayName"]!.GetValue<string>() == "DelegatedPermissionGrant.Scope")!;
        Assert.Equal("Orders.ReadWrite", scope["oldValue"]!.GetValue<string>());
        Assert.Equal("Orders.ReadWrite Orders.Read", scope["newValue"]!.GetValue<string>());
        var approval = entries.Single(e => e["activityDisplayName"]!.GetValue<string>() == "Approve admin consent request");
        Assert.Contains(approval["targetResources"]![0]!["modifiedProperties"]!.AsArray(),
            p => p!["displayName"]!.GetValue<string>() == "AppConsentRequest.Status" && p["newValue"]!.GetValue<string>() == "Approved");
    }

    [Fact]
    public async Task Deny_ClosesTheRequest_NothingGranted_Audited_ThenNotApprovable()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        var id = await RequestAsync(client.AppId, api.AppId, "Orders.ReadFull");
        using var admin = await AdminClient.BootstrapAsync(server);

        var (status, denied) = await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/deny");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Denied", denied!["status"]!.GetValue<string>());
        Assert.Equal(server.Bootstrap.ClientId, denied["reviewedBy"]!["id"]!.GetValue<string>());
        Assert.Null(await AllPrincipalsScopeAsync(client.AppId, api.AppId));
        Assert.Equal(new[] { "Deny admin consent request" }, Activities(await AdminAudit.ForTargetAsync(server, client.AppId.ToString())));

        GraphAssert.Error(HttpStatusCode.Conflict, "TSR3102", await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/approve"));
        var (_, got) = await admin.JsonAsync(HttpMethod.Get, $"{Requests}/{id}");
        Assert.Equal("Denied", got!["status"]!.GetValue<string>());
        var (_, deniedOnly) = await admin.JsonAsync(HttpMethod.Get, $"{Requests}?$filter=status eq 'Denied'");
        Assert.Contains(deniedOnly!["value"]!.AsArray(), r => r!["id"]!.GetValue<string>() == id.ToString());
        var (_, inProgress) = await admin.JsonAsync(HttpMethod.Get, $"{Requests}?$filter=status eq 'InProgress'");
        Assert.DoesNotContain(inProgress!["value"]!.AsArray(), r => r!["id"]!.GetValue<string>() == id.ToString());
    }

    [Fact]
    public async Task Approve_ScopeNoLongerOffered_400_AndApplicationGone_400_StillInProgress()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        var gone = await RequestAsync(client.AppId, api.AppId, "Orders.Read Orders.Archive");
        var noClient = await RequestAsync(Guid.NewGuid(), api.AppId, "Orders.Read");
        using var admin = await AdminClient.BootstrapAsync(server);

        var scopeGone = await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{gone}/approve");
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3103", scopeGone);
        Assert.Contains("'Orders.Archive'", scopeGone.Json!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR3104", await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{noClient}/approve"));

        var (_, still) = await admin.JsonAsync(HttpMethod.Get, $"{Requests}/{gone}");
        Assert.Equal("InProgress", still!["status"]!.GetValue<string>());
        Assert.Null(await AllPrincipalsScopeAsync(client.AppId, api.AppId));

        // What cannot be approved can still be denied.
        Assert.Equal(HttpStatusCode.OK, (await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{noClient}/deny")).Status);
    }

    [Fact]
    public async Task Approve_AdminApiPermissionTheReviewerLacks_403()
    {
        var adminApi = await AdminClient.AdminApiAppIdAsync(server);
        var client = await RegisterClientAsync();
        var id = await RequestAsync(client.AppId, adminApi, "openid User.ReadWrite.All");
        using var reviewer = await AdminClient.WithPermissionsAsync(server, AdminPermissions.DelegatedPermissionGrantReadWriteAll);

        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR3100", await reviewer.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/approve"));

        using var admin = await AdminClient.BootstrapAsync(server);
        Assert.Equal(HttpStatusCode.OK, (await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/approve")).Status);
        Assert.Equal("openid User.ReadWrite.All", await AllPrincipalsScopeAsync(client.AppId, adminApi));
    }

    [Fact]
    public async Task Permissions_ReadersListButDoNotDecide_OthersSeeNothing_UnknownIs404()
    {
        var api = await RegisterApiAsync();
        var client = await RegisterClientAsync();
        var id = await RequestAsync(client.AppId, api.AppId, "Orders.Read");

        foreach (var permission in new[] { AdminPermissions.DelegatedPermissionGrantReadAll, AdminPermissions.DirectoryReadAll })
        {
            using var reader = await AdminClient.WithPermissionsAsync(server, permission);
            var (status, got) = await reader.JsonAsync(HttpMethod.Get, $"{Requests}/{id}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("InProgress", got!["status"]!.GetValue<string>());
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/approve"));
            GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await reader.JsonAsync(HttpMethod.Post, $"{Requests}/{id}/deny"));
        }

        using var policyAdmin = await AdminClient.WithPermissionsAsync(server, AdminPermissions.PolicyReadWritePermissionGrant);
        GraphAssert.Error(HttpStatusCode.Forbidden, "TSR4002", await policyAdmin.JsonAsync(HttpMethod.Get, Requests));

        using var admin = await AdminClient.BootstrapAsync(server);
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Get, $"{Requests}/{Guid.NewGuid()}"));
        GraphAssert.Error(HttpStatusCode.NotFound, "TSR4004", await admin.JsonAsync(HttpMethod.Post, $"{Requests}/{Guid.NewGuid()}/approve"));
        GraphAssert.Error(HttpStatusCode.BadRequest, "TSR4005", await admin.JsonAsync(HttpMethod.Get, $"{Requests}?$filter=reason eq 'x'"));
        var (_, still) = await admin.JsonAsync(HttpMethod.Get, $"{Requests}/{id}");
        Assert.Equal("InProgress", still!["status"]!.GetValue<string>());
    }
}
