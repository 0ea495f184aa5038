using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Policy.Admin;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>An admin API caller holding exactly the given admin permissions (as app roles, client credentials).</summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    private AdminClient(TesseraServerFixture server, string token, Guid clientId)
    {
        _http = server.CreateHttpClient();
        _http.BaseAddress = new Uri(server.Origin + "/admin/v1/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        ClientId = clientId;
    }

    public Guid ClientId { get; }

    /// <summary>The bootstrap client: <c>Directory.ReadWrite.All</c>.</summary>
    public static async Task<AdminClient> BootstrapAsync(TesseraServerFixture server)
        => new(server, await TokenAsync(server, server.Bootstrap.ClientId, server.Bootstrap.ClientSecret), Guid.Parse(server.Bootstrap.ClientId));

    /// <summary>A new client application holding only <paramref name="permissions"/> on the admin API.</summary>
    public static async Task<AdminClient> WithPermissionsAsync(TesseraServerFixture server, params string[] permissions)
    {
        var app = await server.Directory.RegisterAsync(new NewApplication("admin client " + string.Join(",", permissions)));
        var secret = await server.Directory.AddSecretAsync(app.AppId);
        var adminApi = await AdminApiAppIdAsync(server);
        foreach (var permission in permissions)
        {
            await server.Directory.AssignAsync(app.AppId, "ServicePrincipal", adminApi, permission);
        }

        return new AdminClient(server, await TokenAsync(server, app.AppId.ToString(), secret), app.AppId);
    }

    public static Task<Guid> AdminApiAppIdAsync(TesseraServerFixture server)
        => server.Directory.QueryAsync(db => db.Applications.Where(a => a.TenantId == server.TenantId && a.IdentifierUris.Contains(AdminPermissions.ApiIdentifier))
            .Select(a => a.AppId).FirstAsync());

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return _http.SendAsync(request);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Json)> JsonAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        using var response = await SendAsync(method, path, body, ifMatch);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>GET of a resource that carries its version: asserts 200 with an ETag and returns the body.</summary>
    public async Task<JsonNode> GetVersionedAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public void Dispose() => _http.Dispose();

    private static async Task<string> TokenAsync(TesseraServerFixture server, string clientId, string secret)
    {
        using var http = server.CreateHttpClient();
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", clientId), ("client_secret", secret), ("scope", AdminPermissions.ApiIdentifier + "/.default"));
        response.AssertSuccess();
        return response.AccessToken;
    }
}

public static class GraphAssert
{
    /// <summary>A Graph error with the given status and Tessera code.</summary>
    public static void Error(HttpStatusCode expectedStatus, string code, (HttpStatusCode Status, JsonNode? Json) response)
    {
        Assert.True(expectedStatus == response.Status, $"Expected {(int)expectedStatus}, got {(int)response.Status}: {response.Json?.ToJsonString()}");
        Assert.Equal(code, response.Json?["error"]?["innerError"]?["tesseraCode"]?.GetValue<string>());
        Assert.StartsWith(code, response.Json?["error"]?["message"]?.GetValue<string>(), StringComparison.Ordinal);
    }
}
