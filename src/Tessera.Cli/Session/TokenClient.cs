using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>
/// The OAuth side of signing in: the authority's discovery document, client-credentials token requests authenticated
/// with a client secret or a <c>private_key_jwt</c> assertion, and a person's refresh tokens (redeemed and revoked).
/// </summary>
internal sealed class TokenClient(HttpClient http, TimeProvider time)
{
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>
    /// The discovery document of <paramref name="authority"/>. It must name the authority as its issuer (OpenID Connect
    /// Discovery §4.3), and every endpoint in it must be as secure as the authority.
    /// </summary>
    public async Task<AuthorityMetadata> DiscoverAsync(string authority, CancellationToken cancellationToken)
    {
        var issuer = ServerAddress.RequireSecure(authority, "The authority").AbsoluteUri.TrimEnd('/');
        var address = new Uri(issuer + "/.well-known/openid-configuration");
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        using var response = await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var document = await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);

        var named = document.Text("issuer");
        if (!string.Equals(named?.TrimEnd('/'), issuer, StringComparison.Ordinal))
        {
            throw CommandFailure.Unavailable(CliErrors.DiscoveryMismatch.With(address, named ?? "(none)"));
        }

        var tokenEndpoint = document.Text("token_endpoint")
                            ?? throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(address, "it names no token_endpoint."));
        return new AuthorityMetadata(
            issuer,
            ServerAddress.RequireSecure(tokenEndpoint, "The token endpoint").AbsoluteUri,
            Endpoint(document, "device_authorization_endpoint", "The device authorization endpoint"),
            Endpoint(document, "revocation_endpoint", "The revocation endpoint"),
            document.Text("tessera_cli_client_id") is { Length: > 0 } cliClient ? cliClient.Trim() : null);
    }

    /// <summary>The token endpoint of <paramref name="authority"/> (see <see cref="DiscoverAsync"/>).</summary>
    public async Task<string> DiscoverTokenEndpointAsync(string authority, CancellationToken cancellationToken)
        => (await DiscoverAsync(authority, cancellationToken).ConfigureAwait(false)).TokenEndpoint;

    /// <summary>Asks for a token with the session's credential: the bootstrap file's secret or a certificate-signed assertion.</summary>
    public async Task<CachedToken> RequestAsync(CliSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", session.ClientId),
            new("scope", session.Scope),
        };
        form.AddRange(Authentication(session));

        var endpoint = ServerAddress.RequireSecure(session.TokenEndpoint, "The token endpoint");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        using var response = await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await ReadGrantAsync(response, time, cancellationToken).ConfigureAwait(false)).Access;
    }

    /// <summary>
    /// Redeems a person's refresh token (a public client: no client authentication). The answer carries the rotated
    /// refresh token, which replaces the one sent. A refused refresh token means the person must sign in again.
    /// </summary>
    public async Task<TokenGrant> RefreshAsync(CliSession session, string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        var endpoint = ServerAddress.RequireSecure(session.TokenEndpoint, "The token endpoint");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent([
                new("grant_type", "refresh_token"), new("client_id", session.ClientId), new("refresh_token", refreshToken)]),
        };
        using var response = await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        if (await ServerExchange.OAuthErrorAsync(response, cancellationToken).ConfigureAwait(false) is "invalid_grant")
        {
            var reason = await ServerExchange.OAuthDescriptionAsync(response, cancellationToken).ConfigureAwait(false);
            throw CommandFailure.Refused(CliErrors.SessionExpired.With(reason, session.Authority));
        }

        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadGrantAsync(response, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a person's refresh token at the authority (RFC 7009), so that a copy of it is worthless too.</summary>
    public async Task RevokeAsync(string revocationEndpoint, string clientId, string refreshToken, CancellationToken cancellationToken)
    {
        var endpoint = ServerAddress.RequireSecure(revocationEndpoint, "The revocation endpoint");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent([
                new("token", refreshToken), new("token_type_hint", "refresh_token"), new("client_id", clientId)]),
        };
        using var response = await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A successful token response: an access token with its lifetime, and a refresh token if one was issued.</summary>
    public static async Task<TokenGrant> ReadGrantAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(time);
        var body = await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        var accessToken = body.Text("access_token");
        var lifetime = long.TryParse(body.Text("expires_in"), out var seconds) ? seconds : 0;
        if (string.IsNullOrEmpty(accessToken) || lifetime <= 0)
        {
            throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(
                response.RequestMessage?.RequestUri?.AbsolutePath ?? "The token endpoint", "no access_token with an expires_in."));
        }

        var refreshToken = body.Text("refresh_token");
        return new TokenGrant(new CachedToken(accessToken, time.GetUtcNow().AddSeconds(lifetime)), string.IsNullOrEmpty(refreshToken) ? null : refreshToken);
    }

    private static string? Endpoint(JsonObject? document, string name, string what)
        => document.Text(name) is { Length: > 0 } value ? ServerAddress.RequireSecure(value, what).AbsoluteUri : null;

    private IEnumerable<KeyValuePair<string, string>> Authentication(CliSession session)
    {
        switch (session.Credential.Kind)
        {
            case SessionCredential.BootstrapKind:
                var bootstrap = BootstrapFile.Read(session.Credential.Path);
                if (!string.Equals(bootstrap.ClientId, session.ClientId, StringComparison.OrdinalIgnoreCase))
                {
                    throw CommandFailure.Usage(CliErrors.BootstrapUnreadable.With(session.Credential.Path,
                        $"it is for client {bootstrap.ClientId}, not the signed-in client {session.ClientId}. Run 'tessera login' again."));
                }

                return [new("client_secret", bootstrap.ClientSecret)];

            case SessionCredential.CertificateKind:
                using (var certificate = ClientCertificate.Load(session.Credential.Path, session.Credential.PasswordVariable))
                {
                    var assertion = ClientCertificate.CreateAssertion(certificate, session.ClientId, session.TokenEndpoint, time.GetUtcNow());
                    return [new("client_assertion_type", AssertionType), new("client_assertion", assertion)];
                }

            default:
                throw CommandFailure.Usage(CliErrors.SessionUnreadable.With("session", $"unknown credential kind '{session.Credential.Kind}'"));
        }
    }
}
