using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>The tenant's transmitter metadata, as far as the receiver uses it.</summary>
internal sealed record TransmitterMetadata(Uri ConfigurationEndpoint, IReadOnlyList<string> DeliveryMethods);

/// <summary>A failure talking to the transmitter that a later attempt may not have (logged, retried with backoff).</summary>
internal sealed class TransmitterException(string message) : Exception(message);

/// <summary>
/// The receiver's calls to the transmitter (SSF 1.0 and RFC 8936): discovery, the application's own token for them
/// (client credentials, <c>urn:tessera:ssf/.default</c>, with its secret or a <c>private_key_jwt</c> assertion),
/// stream management and polls.
/// </summary>
internal sealed class TransmitterClient(TesseraApiSettings settings, ContinuousAccessSettings receiver, TenantMetadata metadata, HttpClient http, TimeProvider time)
{
    public const string PushMethod = "urn:ietf:rfc:8935";
    public const string PollMethod = "urn:ietf:rfc:8936";
    private const string Scope = "urn:tessera:ssf/.default";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string? _token;
    private DateTimeOffset _tokenExpires;

    public async Task<TransmitterMetadata> DiscoverAsync(CancellationToken cancellationToken)
    {
        var address = settings.TransmitterMetadataAddressOf(receiver.TenantId);
        using var response = await http.GetAsync(new Uri(address), cancellationToken).ConfigureAwait(false);
        var document = await ReadObjectAsync(response, "transmitter metadata", cancellationToken).ConfigureAwait(false);
        var issuer = document["issuer"]?.GetValue<string>();
        if (!string.Equals(issuer, settings.IssuerOf(receiver.TenantId), StringComparison.Ordinal))
        {
            throw new TransmitterException($"The transmitter metadata at {address} names issuer '{issuer}', not the tenant's.");
        }

        if (!Uri.TryCreate(document["configuration_endpoint"]?.GetValue<string>(), UriKind.Absolute, out var configuration))
        {
            throw new TransmitterException($"The transmitter metadata at {address} has no configuration_endpoint.");
        }

        var methods = document["delivery_methods_supported"] is JsonArray array ? array.Select(m => m?.GetValue<string>() ?? string.Empty).ToList() : [];
        return new TransmitterMetadata(configuration, methods);
    }

    /// <summary>The stream's configuration, or null when the transmitter does not know it (deleted, or not this application's).</summary>
    public async Task<JsonObject?> GetStreamAsync(Uri configurationEndpoint, string streamId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WithStreamId(configurationEndpoint, streamId));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadObjectAsync(response, "stream", cancellationToken).ConfigureAwait(false);
    }

    public async Task<JsonObject> CreateStreamAsync(Uri configurationEndpoint, JsonObject delivery, string description, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["delivery"] = delivery,
            ["events_requested"] = new JsonArray([.. SecurityEventTypes.Requested.Select(t => (JsonNode)t)]),
            ["description"] = description,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, configurationEndpoint) { Content = JsonContent.Create(body) };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadObjectAsync(response, "new stream", cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteStreamAsync(Uri configurationEndpoint, string streamId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, WithStreamId(configurationEndpoint, streamId));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One poll (RFC 8936): acknowledges and reports what the last one brought, returns the next SETs; null when the stream is gone.</summary>
    public async Task<(IReadOnlyDictionary<string, string> Sets, bool MoreAvailable)?> PollAsync(
        Uri endpoint, IReadOnlyCollection<string> ack, IReadOnlyDictionary<string, SetRejection> errors, bool returnImmediately, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["ack"] = new JsonArray([.. ack.Select(j => (JsonNode)j)]),
            ["maxEvents"] = 100,
            ["returnImmediately"] = returnImmediately,
        };
        if (errors.Count > 0)
        {
            body["setErrs"] = new JsonObject(errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonObject { ["err"] = e.Value.Err, ["description"] = e.Value.Description })));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = JsonContent.Create(body) };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var document = await ReadObjectAsync(response, "poll", cancellationToken).ConfigureAwait(false);
        var sets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (document["sets"] is JsonObject received)
        {
            foreach (var (jti, set) in received)
            {
                sets[jti] = set is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;
            }
        }

        return (sets, document["moreAvailable"]?.GetValue<bool>() ?? false);
    }

    /// <summary>Sends with the application's token; once more with a new token when the transmitter refuses it.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(refresh: false, cancellationToken).ConfigureAwait(false));
        var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        using var again = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Content = request.Content is null ? null : new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)),
        };
        if (request.Content is not null)
        {
            again.Content!.Headers.ContentType = request.Content.Headers.ContentType;
        }

        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(refresh: true, cancellationToken).ConfigureAwait(false));
        return await http.SendAsync(again, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> TokenAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _token is not null && time.GetUtcNow() < _tokenExpires)
        {
            return _token;
        }

        var configuration = await metadata.GetAsync(receiver.TenantId, cancellationToken).ConfigureAwait(false);
        if (configuration?.TokenEndpoint is not { Length: > 0 } tokenEndpoint)
        {
            throw new TransmitterException("The tenant's token endpoint could not be read from its discovery document.");
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", receiver.ClientId),
            new("scope", Scope),
        };
        if (receiver.ClientCertificate is { } certificate)
        {
            form.Add(new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            form.Add(new("client_assertion", Assertion(certificate, tokenEndpoint)));
        }
        else
        {
            form.Add(new("client_secret", receiver.ClientSecret!));
        }

        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(new Uri(tokenEndpoint), content, cancellationToken).ConfigureAwait(false);
        var document = await ReadObjectAsync(response, "token", cancellationToken).ConfigureAwait(false);
        _token = document["access_token"]?.GetValue<string>() ?? throw new TransmitterException("The token response has no access_token.");
        var lifetime = document["expires_in"]?.GetValue<int>() ?? 300;
        _tokenExpires = time.GetUtcNow().AddSeconds(Math.Max(lifetime - 60, 30));
        return _token;
    }

    private string Assertion(X509Certificate2 certificate, string audience)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // X509SecurityKey signs with RSA only: an EC certificate's key is used as an ECDsa key, named the same way.
        using var ecdsa = certificate.GetECDsaPrivateKey();
        var credentials = ecdsa is not null
            ? new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = certificate.Thumbprint }, SecurityAlgorithms.EcdsaSha256)
            : new X509SigningCredentials(certificate, SecurityAlgorithms.RsaSha256);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = receiver.ClientId,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", receiver.ClientId), new Claim("jti", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)))]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = credentials,
        });
    }

    private static Uri WithStreamId(Uri endpoint, string streamId)
        => new($"{endpoint.GetLeftPart(UriPartial.Path)}?stream_id={Uri.EscapeDataString(streamId)}");

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new TransmitterException($"The transmitter answered {(int)response.StatusCode} to the {what} request: {Shorten(text)}");
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new TransmitterException($"The {what} response is not a JSON object.");
        }
        catch (JsonException)
        {
            throw new TransmitterException($"The {what} response is not JSON.");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300];
}
