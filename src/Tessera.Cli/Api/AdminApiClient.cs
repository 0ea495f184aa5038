using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Cli.Failures;
using Tessera.Cli.Session;

namespace Tessera.Cli.Api;

/// <summary>
/// The admin API (<c>{origin}/admin/v1</c>) as the commands use it: JSON in, JSON out, Graph collections followed
/// through <c>@odata.nextLink</c>. The bearer token is renewed once if the API refuses the cached one, and is never
/// sent outside the admin API's address.
/// </summary>
internal sealed class AdminApiClient(HttpClient http, Uri baseAddress, AccessTokens tokens)
{
    /// <summary>Graph's largest page; lists that follow every page ask for it to keep round trips few.</summary>
    public const int LargestPage = 999;

    /// <summary>The admin API's base address, ending with a slash.</summary>
    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>The directory object reference Graph expects in <c>$ref</c> bodies.</summary>
    public string DirectoryObjectReference(string id) => new Uri(BaseAddress, "directoryObjects/" + Uri.EscapeDataString(id)).AbsoluteUri;

    public async Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>A resource, or null when the API answers 404.</summary>
    public async Task<JsonObject?> FindAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await ExchangeAsync(HttpMethod.Get, Resolve(path), null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>A request whose failure is the command's failure; <paramref name="ifMatch"/> guards a change against a concurrent one.</summary>
    public async Task<JsonObject?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string? ifMatch = null)
    {
        using var response = await ExchangeAsync(method, Resolve(path), body, cancellationToken, ifMatch).ConfigureAwait(false);
        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The items of a Graph collection. With <paramref name="top"/> only the first page of that size; without it every
    /// page of <paramref name="pageSize"/> items, following <c>@odata.nextLink</c>.
    /// </summary>
    public async Task<List<JsonObject>> ListAsync(
        string path, IReadOnlyDictionary<string, string?>? query, int? top, CancellationToken cancellationToken, int pageSize = LargestPage)
    {
        var parameters = new Dictionary<string, string?>(query ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
        {
            ["$top"] = (top ?? pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var next = Resolve(WithQuery(path, parameters));
        var items = new List<JsonObject>();
        while (next is not null)
        {
            using var response = await ExchangeAsync(HttpMethod.Get, next, null, cancellationToken).ConfigureAwait(false);
            await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            var page = await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
            if (page?["value"] is not JsonArray values)
            {
                throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(next.AbsolutePath, "a collection without 'value'."));
            }

            items.AddRange(values.OfType<JsonObject>().Select(v => (JsonObject)v.DeepClone()));
            next = top is null && page.Text("@odata.nextLink") is { } link ? FollowableLink(link) : null;
        }

        return items;
    }

    /// <summary>A path with query parameters, each value escaped; null values are left out.</summary>
    public static string WithQuery(string path, IReadOnlyDictionary<string, string?> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = new StringBuilder();
        foreach (var (name, value) in parameters.Where(p => p.Value is not null))
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value!));
        }

        return path + query;
    }

    /// <summary>A string literal of an OData <c>$filter</c>: quoted, with quotes doubled.</summary>
    public static string Literal(string value) => "'" + (value ?? string.Empty).Replace("'", "''", StringComparison.Ordinal) + "'";

    private Uri Resolve(string path) => new(BaseAddress, path.TrimStart('/'));

    private Uri FollowableLink(string link)
    {
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || !ServerAddress.IsUnder(uri, BaseAddress))
        {
            throw CommandFailure.Unavailable(CliErrors.ForeignNextLink.With(link, BaseAddress));
        }

        return uri;
    }

    private async Task<HttpResponseMessage> ExchangeAsync(HttpMethod method, Uri address, JsonNode? body, CancellationToken cancellationToken, string? ifMatch = null)
    {
        var response = await OnceAsync(method, address, body, ifMatch, renew: false, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // The cached token may have been revoked or signed by a retired key: one fresh token, one more try.
        response.Dispose();
        return await OnceAsync(method, address, body, ifMatch, renew: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> OnceAsync(HttpMethod method, Uri address, JsonNode? body, string? ifMatch, bool renew, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(renew, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
    }
}
