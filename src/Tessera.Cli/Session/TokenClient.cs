using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>
/// The OAuth side of signing in: the authority's discovery document (for its token endpoint) and client-credentials
/// token requests authenticated with a client secret or a <c>private_key_jwt</c> assertion.
/// </summary>
internal sealed class TokenClient(HttpClient http, TimeProvider time)
{
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>
    /// The token endpoint of <paramref name="authority"/>. The discovery document must name the authority as its
    /// issuer (OpenID Connect Discovery §4.3), and the endpoint must be as secure as the authority.
    /// </summary>
    public async Task<string> DiscoverTokenEndpointAsync(string authority, CancellationToken cancellationToken)
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

        var endpoint = document.Text("token_endpoint")
                       ?? throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(address, "it names no token_endpoint."));
        return ServerAddress.RequireSecure(endpoint, "The token endpoint").AbsoluteUri;
    }

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
        var body = await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);

        var accessToken = body.Text("access_token");
        var lifetime = long.TryParse(body.Text("expires_in"), out var seconds) ? seconds : 0;
        if (string.IsNullOrEmpty(accessToken) || lifetime <= 0)
        {
            throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(endpoint, "no access_token with an expires_in."));
        }

        return new CachedToken(accessToken, time.GetUtcNow().AddSeconds(lifetime));
    }

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
