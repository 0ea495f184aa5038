using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Policy.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>A person calling the admin API with a delegated token: what they may do is their scopes AND their admin roles.</summary>
public sealed class PersonAdminClient : IDisposable
{
    private readonly HttpClient _http;

    private PersonAdminClient(TesseraServerFixture server, string token)
    {
        _http = server.CreateHttpClient();
        _http.BaseAddress = new Uri(server.Origin + "/admin/v1/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>
    /// Signs <paramref name="userName"/> in through the code flow to a client an administrator consented to
    /// <paramref name="permission"/> on the admin API for (users may not consent to admin permissions).
    /// </summary>
    public static async Task<PersonAdminClient> SignInAsync(TesseraServerFixture server, string userName, string permission)
    {
        var client = await CodeFlowClient.RegisterAsync(server);
        await server.Directory.GrantConsentAsync(client.Application.AppId, await server.Directory.AdminApiAppIdAsync(), permission);
        var (code, pkce, browser) = await client.SignInAsync(userName, $"openid {AdminPermissions.ApiIdentifier}/{permission}");
        browser.Dispose();
        using var http = server.CreateHttpClient();
        var tokens = await client.RedeemAsync(http, code, pkce.Verifier);
        tokens.AssertSuccess();
        return new PersonAdminClient(server, tokens.AccessToken);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Json)> JsonAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public void Dispose() => _http.Dispose();
}
