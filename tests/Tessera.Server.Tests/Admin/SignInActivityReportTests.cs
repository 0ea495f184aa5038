using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Policy.Admin;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Interop;

namespace Tessera.Server.Tests.Admin;

/// <summary><c>/reports/servicePrincipalSignInActivities</c>: when each application last got a token, and for which API.</summary>
public sealed class SignInActivityReportTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    [Fact]
    public async Task ClientCredentials_ReportedAsTheAppsOwnSignInForTheApi()
    {
        var (api, identifier) = await server.Directory.NewApiAsync();
        var daemon = await server.Directory.NewDaemonAsync(api);
        var secret = await server.Directory.AddSecretAsync(daemon.AppId);
        using (var http = server.CreateHttpClient())
        {
            (await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", daemon.AppId.ToString("D")),
                ("client_secret", secret), ("scope", identifier + "/.default"))).AssertSuccess();
            (await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", daemon.AppId.ToString("D")),
                ("client_secret", "wrong"), ("scope", identifier + "/.default"))).AssertError("invalid_client");
        }

        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        using var reader = await AdminClient.WithPermissionsAsync(server, AdminPermissions.AuditLogReadAll);
        var (status, report) = await reader.JsonAsync(HttpMethod.Get, "reports/servicePrincipalSignInActivities");

        Assert.Equal(HttpStatusCode.OK, status);
        var entry = report!["value"]!.AsArray().Single(e => e!["appId"]!.GetValue<string>() == daemon.AppId.ToString("D"))!;
        Assert.NotNull(entry["applicationAuthenticationClientSignInActivity"]!["lastSignInDateTime"]);
        Assert.Null(entry["delegatedClientSignInActivity"]);
        var resource = Assert.Single(entry["resourceSignInActivities"]!.AsArray())!;
        Assert.Equal(api.AppId.ToString("D"), resource["resourceAppId"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutAuditLogPermission_Forbidden()
    {
        using var other = await AdminClient.WithPermissionsAsync(server, AdminPermissions.UserReadAll);

        var (status, _) = await other.JsonAsync(HttpMethod.Get, "reports/servicePrincipalSignInActivities");

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }
}
