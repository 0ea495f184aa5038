using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Policy.Admin;
using Tessera.Server.Admin.Access;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>
/// Every admin endpoint × every admin permission: the endpoint declares a permission, refuses callers without a
/// token and callers whose permissions do not grant it, and admits the others. A new endpoint is covered on arrival.
/// </summary>
public sealed partial class PermissionMatrixTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private sealed record AdminEndpoint(string Method, string Template, PermissionRequirement? Requirement)
    {
        public IReadOnlyList<string>? AnyOf => Requirement?.AnyOf;
    }

    private List<AdminEndpoint> Endpoints()
        => server.App.Web.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("admin/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => new AdminEndpoint(method, e.RoutePattern.RawText!.TrimStart('/'), e.Metadata.GetMetadata<PermissionRequirement>())))
            .ToList();

    [Fact]
    public void EveryAdminEndpoint_DeclaresAPermission()
    {
        var endpoints = Endpoints();
        Assert.True(endpoints.Count >= 10, $"Only {endpoints.Count} admin endpoints found.");
        Assert.All(endpoints, e => Assert.True(e.Requirement is { } r && r.AnyOf.Count + r.AllOf.Count > 0, $"{e.Method} {e.Template} declares no permission."));
    }

    [Fact]
    public async Task EveryAdminEndpoint_WithoutToken_401()
    {
        using var http = server.CreateHttpClient();
        foreach (var endpoint in Endpoints())
        {
            using var request = Request(endpoint);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint.Method} {endpoint.Template}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task EveryAdminEndpoint_EveryPermission_AdmitsExactlyTheGrantingOnes()
    {
        var endpoints = Endpoints();
        var failures = new List<string>();
        foreach (var permission in AdminPermissions.All)
        {
            using var caller = await AdminClient.WithPermissionsAsync(server, permission);
            foreach (var endpoint in endpoints)
            {
                var granted = endpoint.Requirement!.IsMetBy(needed => AdminPermissions.Grants([permission], needed));
                using var response = await caller.SendAsync(new HttpMethod(endpoint.Method), Path(endpoint)["admin/v1/".Length..], "{}");
                var body = await response.Content.ReadAsStringAsync();
                var refused = response.StatusCode == HttpStatusCode.Forbidden && body.Contains("TSR4002", StringComparison.Ordinal);
                var unrouted = body.Contains("TSR2020", StringComparison.Ordinal) || response.StatusCode == HttpStatusCode.Unauthorized;
                if (granted == refused || unrouted || (int)response.StatusCode >= 500)
                {
                    failures.Add($"{permission} → {endpoint.Method} {endpoint.Template}: {(int)response.StatusCode} (granted: {granted})");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    // Endpoints whose permissions are easy to get wrong: credentials of applications are written with the application
    // permissions (owners included), the app management policy with its own Policy permissions.
    [Theory]
    [InlineData("GET", "admin/v1/applications/{id:guid}/federatedIdentityCredentials/", "Application.Read.All,Application.ReadWrite.OwnedBy")]
    [InlineData("POST", "admin/v1/applications/{id:guid}/federatedIdentityCredentials/", "Application.ReadWrite.All,Application.ReadWrite.OwnedBy")]
    [InlineData("GET", "admin/v1/applications/{id:guid}/federatedIdentityCredentials/{federatedIdentityCredentialId}", "Application.Read.All,Application.ReadWrite.OwnedBy")]
    [InlineData("PATCH", "admin/v1/applications/{id:guid}/federatedIdentityCredentials/{federatedIdentityCredentialId}", "Application.ReadWrite.All,Application.ReadWrite.OwnedBy")]
    [InlineData("DELETE", "admin/v1/applications/{id:guid}/federatedIdentityCredentials/{federatedIdentityCredentialId}", "Application.ReadWrite.All,Application.ReadWrite.OwnedBy")]
    [InlineData("GET", "admin/v1/policies/defaultAppManagementPolicy", "Policy.Read.All")]
    [InlineData("PATCH", "admin/v1/policies/defaultAppManagementPolicy", "Policy.ReadWrite.ApplicationConfiguration")]
    [InlineData("GET", "admin/v1/applications/expiringCredentials", "Application.Read.All,Application.ReadWrite.OwnedBy")]
    [InlineData("GET", "admin/v1/signingKeys", "Directory.Read.All")]
    [InlineData("POST", "admin/v1/signingKeys/rotate", "Directory.ReadWrite.All")]
    public void CredentialEndpoints_DeclareTheirPermissions(string method, string template, string anyOf)
    {
        var endpoint = Assert.Single(Endpoints(), e => e.Method == method && e.Template.TrimEnd('/') == template.TrimEnd('/'));
        Assert.Equal(anyOf.Split(','), endpoint.AnyOf);
    }

    // The settings consent decisions read: changing them is a consent decision, so each has its own Policy permission,
    // and vouching for a publisher needs Application.ReadWrite.All (owners may not vouch for themselves).
    [Theory]
    [InlineData("GET", "admin/v1/policies/authorizationPolicy", "Policy.Read.All")]
    [InlineData("PATCH", "admin/v1/policies/authorizationPolicy", "Policy.ReadWrite.Authorization")]
    [InlineData("GET", "admin/v1/servicePrincipals/{id:guid}/delegatedPermissionClassifications/", "Policy.Read.All,Application.Read.All")]
    [InlineData("POST", "admin/v1/servicePrincipals/{id:guid}/delegatedPermissionClassifications/", "Policy.ReadWrite.PermissionGrant")]
    [InlineData("DELETE", "admin/v1/servicePrincipals/{id:guid}/delegatedPermissionClassifications/{classificationId:guid}", "Policy.ReadWrite.PermissionGrant")]
    [InlineData("POST", "admin/v1/applications/{id:guid}/setVerifiedPublisher", "Application.ReadWrite.All")]
    [InlineData("POST", "admin/v1/applications/{id:guid}/unsetVerifiedPublisher", "Application.ReadWrite.All")]
    public void ConsentSettingEndpoints_DeclareTheirPermissions(string method, string template, string anyOf)
    {
        var endpoint = Assert.Single(Endpoints(), e => e.Method == method && e.Template.TrimEnd('/') == template.TrimEnd('/'));
        Assert.Equal(anyOf.Split(','), endpoint.AnyOf);
    }

    // Delegated permission grants and the consent requests that lead to them: reading needs
    // DelegatedPermissionGrant.Read.All (Directory.Read.All implies it), every write and decision the ReadWrite one.
    [Theory]
    [InlineData("GET", "admin/v1/oauth2PermissionGrants/", "DelegatedPermissionGrant.Read.All")]
    [InlineData("GET", "admin/v1/oauth2PermissionGrants/{id:guid}", "DelegatedPermissionGrant.Read.All")]
    [InlineData("POST", "admin/v1/oauth2PermissionGrants/", "DelegatedPermissionGrant.ReadWrite.All")]
    [InlineData("PATCH", "admin/v1/oauth2PermissionGrants/{id:guid}", "DelegatedPermissionGrant.ReadWrite.All")]
    [InlineData("DELETE", "admin/v1/oauth2PermissionGrants/{id:guid}", "DelegatedPermissionGrant.ReadWrite.All")]
    [InlineData("GET", "admin/v1/servicePrincipals/{id:guid}/oauth2PermissionGrants", "DelegatedPermissionGrant.Read.All")]
    [InlineData("GET", "admin/v1/users/{id}/oauth2PermissionGrants", "DelegatedPermissionGrant.Read.All")]
    [InlineData("GET", "admin/v1/identityGovernance/appConsent/appConsentRequests/", "DelegatedPermissionGrant.Read.All")]
    [InlineData("GET", "admin/v1/identityGovernance/appConsent/appConsentRequests/{id:guid}", "DelegatedPermissionGrant.Read.All")]
    [InlineData("POST", "admin/v1/identityGovernance/appConsent/appConsentRequests/{id:guid}/approve", "DelegatedPermissionGrant.ReadWrite.All")]
    [InlineData("POST", "admin/v1/identityGovernance/appConsent/appConsentRequests/{id:guid}/deny", "DelegatedPermissionGrant.ReadWrite.All")]
    public void PermissionGrantEndpoints_DeclareTheirPermissions(string method, string template, string anyOf)
    {
        var endpoint = Assert.Single(Endpoints(), e => e.Method == method && e.Template.TrimEnd('/') == template.TrimEnd('/'));
        Assert.Equal(anyOf.Split(','), endpoint.AnyOf);
        Assert.True(AdminPermissions.Grants([AdminPermissions.DirectoryReadAll], endpoint.AnyOf![0]) == (method == "GET"));
    }

    // Sign-in sessions read and end like the user's other properties; session timeouts are a Conditional Access setting.
    [Theory]
    [InlineData("GET", "admin/v1/users/{id}/signInSessions", "User.Read.All")]
    [InlineData("DELETE", "admin/v1/users/{id}/signInSessions/{sessionId}", "User.ReadWrite.All")]
    [InlineData("GET", "admin/v1/policies/sessionPolicy", "Policy.Read.All")]
    [InlineData("PATCH", "admin/v1/policies/sessionPolicy", "Policy.ReadWrite.ConditionalAccess")]
    public void SessionEndpoints_DeclareTheirPermissions(string method, string template, string anyOf)
    {
        var endpoint = Assert.Single(Endpoints(), e => e.Method == method && e.Template.TrimEnd('/') == template);
        Assert.Equal(anyOf.Split(','), endpoint.AnyOf);
    }

    // A user's groups: as in Graph, a user permission and a group permission together; Directory.Read.All implies both.
    [Theory]
    [InlineData("GET", "admin/v1/users/{id}/memberOf")]
    [InlineData("POST", "admin/v1/users/{id}/getMemberObjects")]
    [InlineData("POST", "admin/v1/users/{id}/getMemberGroups")]
    public void UserMembershipEndpoints_NeedUserAndGroupPermissionsTogether(string method, string template)
    {
        var endpoint = Assert.Single(Endpoints(), e => e.Method == method && e.Template.TrimEnd('/') == template);
        Assert.Empty(endpoint.AnyOf!);
        Assert.Equal([AdminPermissions.UserReadAll, AdminPermissions.GroupReadAll], endpoint.Requirement!.AllOf);
        var admitted = AdminPermissions.All.Where(p => endpoint.Requirement.IsMetBy(needed => AdminPermissions.Grants([p], needed)));
        Assert.Equal([AdminPermissions.DirectoryReadAll, AdminPermissions.DirectoryReadWriteAll], admitted);
    }

    private static HttpRequestMessage Request(AdminEndpoint endpoint)
        => new(new HttpMethod(endpoint.Method), "/" + Path(endpoint));

    // Route parameters get values that parse but name nothing: a granted caller then sees 404 or 400, never 403.
    private static string Path(AdminEndpoint endpoint)
        => RouteParameter().Replace(endpoint.Template, match => match.Groups[2].Value == "guid" ? Guid.NewGuid().ToString() : "none.example");

    [GeneratedRegex(@"\{([A-Za-z]+)(?::([a-z]+))?\}")]
    private static partial Regex RouteParameter();
}
