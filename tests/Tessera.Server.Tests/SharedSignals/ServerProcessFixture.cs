using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.ResourceServer;
using Tessera.Server.Tests.Samples;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>
/// The Tessera server as an operator runs it: its built <c>Tessera.Server.dll</c> in a process of its own, on a free
/// loopback port, with a fresh data folder (SQLite: the point is the process boundary, and the suite's PostgreSQL
/// run covers the transmitter on PostgreSQL in process). Set up through its admin API only, from the bootstrap
/// credential it writes: an API with a secret (for its event streams) and a scope, and a web client consented to it
/// for every user. Only this process is killed at the end.
/// </summary>
public sealed class ServerProcessFixture : IAsyncLifetime
{
    public const string Redirect = "https://client.example.com/callback";
    public const string Password = "a long and unusual passphrase 731";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "tessera-tests", "process-" + Guid.NewGuid().ToString("N"));
    private SampleProcess? _server;

    public string Origin { get; private set; } = null!;
    public Guid TenantId { get; private set; }
    public string TenantBase => $"{Origin}/{TenantId:D}";
    public string TokenEndpoint => $"{TenantBase}/oauth2/v2.0/token";
    public HttpClient Admin { get; } = new();
    public string Domain { get; private set; } = null!;
    public Guid ApiId { get; private set; }
    public string ApiUri { get; private set; } = null!;
    public string ApiSecret { get; private set; } = null!;
    public Guid WebId { get; private set; }
    public string WebSecret { get; private set; } = null!;

    public string ServerOutput => _server?.Output ?? string.Empty;

    public async Task InitializeAsync()
    {
        Origin = $"http://127.0.0.1:{ProtectedApi.FreePort()}";
        var assembly = SampleBuild.ServerAssembly;
        _server = SampleProcess.StartAssembly("tessera", assembly, Path.GetDirectoryName(assembly)!, $"--Tessera:DataPath={_data}", $"--urls={Origin}");
        var bootstrap = Path.Combine(_data, "bootstrap.json");
        var until = DateTime.UtcNow.AddSeconds(90);
        JsonNode? credentials = null;
        using var http = new HttpClient();
        while (credentials is null)
        {
            Assert.True(DateTime.UtcNow < until, "The server wrote no bootstrap.json or does not answer:\n" + ServerOutput);
            try
            {
                if (File.Exists(bootstrap) && JsonNode.Parse(await File.ReadAllTextAsync(bootstrap)) is { } read &&
                    (await http.GetAsync(read["issuer"]!.GetValue<string>() + "/.well-known/openid-configuration")).IsSuccessStatusCode)
                {
                    credentials = read;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
            {
            }

            await Task.Delay(200);
        }

        TenantId = Guid.Parse(credentials["tenantId"]!.GetValue<string>());
        Domain = credentials["domain"]!.GetValue<string>();
        var admin = await TokenClient.PostAsync(http, TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", credentials["clientId"]!.GetValue<string>()), ("client_secret", credentials["clientSecret"]!.GetValue<string>()),
            ("scope", credentials["adminScope"]!.GetValue<string>()));
        admin.AssertSuccess();
        Admin.BaseAddress = new Uri(Origin + "/admin/v1/");
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin.AccessToken);

        ApiUri = "api://orders." + Domain;
        var api = await AdminAsync(HttpMethod.Post, "applications", new
        {
            displayName = "Orders API",
            identifierUris = new[] { ApiUri },
            api = new { oauth2PermissionScopes = new[] { new { value = "Orders.Read", type = "User", adminConsentDisplayName = "Read orders", userConsentDisplayName = "Read your orders" } } },
        });
        ApiId = Guid.Parse(api["appId"]!.GetValue<string>());
        ApiSecret = await SecretAsync(api);
        var web = await AdminAsync(HttpMethod.Post, "applications", new { displayName = "Orders web", web = new { redirectUris = new[] { Redirect } } });
        WebId = Guid.Parse(web["appId"]!.GetValue<string>());
        WebSecret = await SecretAsync(web);
        await AdminAsync(HttpMethod.Post, "oauth2PermissionGrants", new { clientId = WebId, consentType = "AllPrincipals", resourceId = ApiId, scope = "Orders.Read" });
    }

    /// <summary>A new user, and their access token for the API through the code flow (the client declaring <c>cp1</c> or not).</summary>
    public async Task<(Guid UserId, string Token)> UserTokenAsync(bool cp1 = false)
    {
        var name = "cae-" + Guid.NewGuid().ToString("N")[..8];
        var user = await AdminAsync(HttpMethod.Post, "users", new
        {
            displayName = name, userPrincipalName = $"{name}@{Domain}", accountEnabled = true, passwordProfile = new { password = Password },
        });
        var pkce = Pkce.Create();
        var authorize = $"{TenantBase}/oauth2/v2.0/authorize?client_id={WebId}&response_type=code&redirect_uri={Uri.EscapeDataString(Redirect)}" +
                        $"&scope={Uri.EscapeDataString(ApiUri + "/Orders.Read")}&state=s&code_challenge={pkce.Challenge}&code_challenge_method=S256";
        using var browserHttp = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(Origin) };
        using var browser = new UserAgent(browserHttp, Origin);
        var outcome = await browser.AuthorizeAsync(authorize, $"{name}@{Domain}", Password);
        Assert.True(outcome.Redirect is not null, $"No code: {(int)outcome.LastResponse.StatusCode} {outcome.Body}");
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(outcome.Redirect!.Query)["code"].ToString();
        (string, string)[] fields =
        [
            ("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.Verifier), ("redirect_uri", Redirect),
            ("client_id", WebId.ToString()), ("client_secret", WebSecret),
        ];
        if (cp1)
        {
            fields = [.. fields, ("claims", """{"access_token":{"xms_cc":{"values":["cp1"]}}}""")];
        }

        using var http = new HttpClient();
        var tokens = await TokenClient.PostAsync(http, TokenEndpoint, fields);
        tokens.AssertSuccess();
        return (Guid.Parse(user["id"]!.GetValue<string>()), tokens.AccessToken);
    }

    public async Task<JsonNode> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<string> SecretAsync(JsonNode application)
        => (await AdminAsync(HttpMethod.Post, $"applications/{application["id"]!.GetValue<string>()}/addPassword",
            new { passwordCredential = new { displayName = "tests" } }))["secretText"]!.GetValue<string>();
}
