using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Posts to the token endpoint (and its siblings) and reads the JSON answer.</summary>
public static class TokenClient
{
    public static async Task<TokenResponse> PostAsync(HttpClient http, string url, params (string Name, string Value)[] fields)
    {
        using var content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        using var response = await http.PostAsync(url, content);
        var body = await response.Content.ReadAsStringAsync();
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"Expected JSON from {url}, got {(int)response.StatusCode}: {body}");
        }

        return new TokenResponse(response.StatusCode, json, body);
    }
}

public sealed record TokenResponse(HttpStatusCode Status, JsonElement Json, string Body)
{
    public string? Error => Json.TryGetProperty("error", out var e) ? e.GetString() : null;
    public string? ErrorDescription => Json.TryGetProperty("error_description", out var e) ? e.GetString() : null;
    public string AccessToken => Json.GetProperty("access_token").GetString()!;
    public string? RefreshToken => Json.TryGetProperty("refresh_token", out var e) ? e.GetString() : null;
    public string? IdToken => Json.TryGetProperty("id_token", out var e) ? e.GetString() : null;
    public JsonWebToken Access => new(AccessToken);

    public void AssertSuccess()
    {
        if (Status != HttpStatusCode.OK)
        {
            throw new Xunit.Sdk.XunitException($"Token request failed with {(int)Status}: {Body}");
        }
    }

    public void AssertError(string error, string? code = null)
    {
        Assert.True(Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{(int)Status}: {Body}");
        Assert.Equal(error, Error);
        if (code is not null)
        {
            Assert.StartsWith(code, ErrorDescription, StringComparison.Ordinal);
        }
    }
}
