using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Server.Directory;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>An API's own application acting as an SSF receiver: registered, with a token for <c>urn:tessera:ssf</c>.</summary>
public sealed class SignalReceiverClient : IDisposable
{
    public const string PushMethod = "urn:ietf:rfc:8935";
    public const string PollMethod = "urn:ietf:rfc:8936";

    private readonly HttpClient _http;

    private SignalReceiverClient(HttpClient http, Guid appId, JsonWebToken token)
    {
        _http = http;
        AppId = appId;
        Token = token;
    }

    public Guid AppId { get; }

    /// <summary>The receiver's access token for the transmitter.</summary>
    public JsonWebToken Token { get; }

    /// <summary>A new application; with <paramref name="apiIdentifier"/>, an API with the Orders scopes.</summary>
    public static async Task<SignalReceiverClient> RegisterAsync(TesseraServerFixture server, string? apiIdentifier = null)
    {
        var app = apiIdentifier is null
            ? await server.Directory.RegisterAsync(new NewApplication("receiver " + Guid.NewGuid().ToString("N")[..6]))
            : await server.Directory.RegisterApiAsync(apiIdentifier);
        var secret = await server.Directory.AddSecretAsync(app.AppId);
        TokenResponse token;
        using (var tokenClient = server.CreateHttpClient())
        {
            token = await TokenClient.PostAsync(tokenClient, server.TokenEndpoint,
                ("grant_type", "client_credentials"), ("client_id", app.AppId.ToString()), ("client_secret", secret), ("scope", "urn:tessera:ssf/.default"));
        }

        token.AssertSuccess();
        var http = server.CreateHttpClient();
        http.BaseAddress = new Uri($"{server.TenantBase}/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return new SignalReceiverClient(http, app.AppId, token.Access);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Json)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<string> CreatePushStreamAsync(string endpoint, string? authorization = null)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, "ssf/streams", new
        {
            delivery = new Dictionary<string, string?> { ["method"] = PushMethod, ["endpoint_url"] = endpoint, ["authorization_header"] = authorization },
        });
        Assert.True(status == HttpStatusCode.Created, json?.ToJsonString());
        return json!["stream_id"]!.GetValue<string>();
    }

    public async Task<string> CreatePollStreamAsync()
    {
        var (status, json) = await SendAsync(HttpMethod.Post, "ssf/streams", new { delivery = new { method = PollMethod } });
        Assert.True(status == HttpStatusCode.Created, json?.ToJsonString());
        return json!["stream_id"]!.GetValue<string>();
    }

    public async Task<JsonObject> PollAsync(string streamId, object body)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, $"ssf/poll/{streamId}", body);
        Assert.True(status == HttpStatusCode.OK, json?.ToJsonString());
        return json!.AsObject();
    }

    public void Dispose() => _http.Dispose();
}
