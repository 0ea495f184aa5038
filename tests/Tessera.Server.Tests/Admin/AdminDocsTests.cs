using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

public sealed class AdminDocsTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task OpenApi_Document_ListsOperationsWithTheirPermissions()
    {
        using var http = server.CreateHttpClient();
        var document = await http.GetStringAsync("/admin/openapi/admin.json");
        Assert.Contains("\"/admin/v1/applications\"", document, StringComparison.Ordinal);
        Assert.Contains("Permissions (any one): Application.Read.All", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/applications/{id}/federatedIdentityCredentials/{federatedIdentityCredentialId}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/policies/defaultAppManagementPolicy\"", document, StringComparison.Ordinal);
        Assert.Contains("Permissions (any one): Policy.ReadWrite.ApplicationConfiguration", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/policies/authorizationPolicy\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/servicePrincipals/{id}/delegatedPermissionClassifications/{classificationId}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/applications/{id}/setVerifiedPublisher\"", document, StringComparison.Ordinal);
        Assert.Contains("Permissions (any one): Policy.ReadWrite.PermissionGrant", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/oauth2PermissionGrants/{id}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/users/{id}/oauth2PermissionGrants\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/identityGovernance/appConsent/appConsentRequests/{id}/approve\"", document, StringComparison.Ordinal);
        Assert.Contains("Permissions (any one): DelegatedPermissionGrant.ReadWrite.All", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/users/{id}/getMemberObjects\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/users/{id}/getMemberGroups\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/users/{id}/memberOf\"", document, StringComparison.Ordinal);
        Assert.Contains("Permissions (all of): User.Read.All, Group.Read.All", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/users/{id}/signInSessions\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/users/{id}/signInSessions/{sessionId}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/admin/v1/policies/sessionPolicy\"", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DocsPage_Html_ListsEveryOperationWithItsPermission()
    {
        using var http = server.CreateHttpClient();
        using var response = await http.GetAsync("/admin/docs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("admin/v1/applications/{id:guid}/addPassword", page, StringComparison.Ordinal);
        Assert.Contains("Application.ReadWrite.All, Application.ReadWrite.OwnedBy", page, StringComparison.Ordinal);
        Assert.Contains("User.Read.All and Group.Read.All", page, StringComparison.Ordinal);
    }
}
