using System.Globalization;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>What the person is asked to do: open <see cref="VerificationUri"/> and enter <see cref="UserCode"/>.</summary>
internal sealed record DeviceCodePrompt(
    string DeviceCode, string UserCode, Uri VerificationUri, Uri? VerificationUriComplete, DateTimeOffset ExpiresOn, TimeSpan Interval);

/// <summary>
/// A person's sign-in with a device code (RFC 8628): ask the device authorization endpoint for a code, then poll the
/// token endpoint until the person has approved or refused it on the verification page, or the code has expired.
/// </summary>
internal sealed class DeviceCodeSignIn(HttpClient http, TimeProvider time)
{
    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>RFC 8628 §3.2: five seconds when the server names no interval; §3.5: five more at each <c>slow_down</c>.</summary>
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    /// <summary>Asks for a device code and the user code the person enters (RFC 8628 §3.1).</summary>
    public async Task<DeviceCodePrompt> StartAsync(string endpoint, string clientId, string scope, CancellationToken cancellationToken)
    {
        var address = ServerAddress.RequireSecure(endpoint, "The device authorization endpoint");
        using var request = new HttpRequestMessage(HttpMethod.Post, address)
        {
            Content = new FormUrlEncodedContent([new("client_id", clientId), new("scope", scope)]),
        };
        using var response = await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var body = await ServerExchange.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);

        var deviceCode = body.Text("device_code");
        var userCode = body.Text("user_code");
        var lifetime = long.TryParse(body.Text("expires_in"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        var interval = long.TryParse(body.Text("interval"), NumberStyles.None, CultureInfo.InvariantCulture, out var wait) && wait > 0
            ? TimeSpan.FromSeconds(Math.Min(wait, 3_600))
            : DefaultInterval;
        if (string.IsNullOrEmpty(deviceCode) || !IsDisplayable(userCode) || lifetime <= 0 || body.Text("verification_uri") is not { } page)
        {
            throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(address.AbsolutePath,
                "no device_code, user_code, verification_uri and expires_in (RFC 8628 §3.2)."));
        }

        // The person types their password on this page: it must be as secure as any address credentials go to.
        var verification = ServerAddress.RequireSecure(page, "The verification URI");
        return new DeviceCodePrompt(deviceCode, userCode!, verification, SameOrigin(body.Text("verification_uri_complete"), verification),
            time.GetUtcNow().AddSeconds(lifetime), interval);
    }

    /// <summary>
    /// Polls the token endpoint at the server's pace until the code is approved (the tokens), refused
    /// (<c>access_denied</c>) or expired (<c>expired_token</c>, or its lifetime has passed here).
    /// </summary>
    public async Task<TokenGrant> PollAsync(string tokenEndpoint, string clientId, DeviceCodePrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var endpoint = ServerAddress.RequireSecure(tokenEndpoint, "The token endpoint");
        var interval = prompt.Interval;
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent([
                    new("grant_type", DeviceCodeGrant), new("device_code", prompt.DeviceCode), new("client_id", clientId)]),
            };
            using var response = await ServerExchange.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return await TokenClient.ReadGrantAsync(response, time, cancellationToken).ConfigureAwait(false);
            }

            switch (await ServerExchange.OAuthErrorAsync(response, cancellationToken).ConfigureAwait(false))
            {
                case "authorization_pending":
                    break;
                case "slow_down":
                    interval += SlowDownStep;
                    break;
                case "access_denied":
                    throw CommandFailure.Refused(CliErrors.DeviceCodeDenied);
                case "expired_token":
                    throw CommandFailure.Refused(CliErrors.DeviceCodeExpired);
                default:
                    await ServerExchange.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                    throw CommandFailure.Unavailable(CliErrors.UnexpectedResponse.With(endpoint.AbsolutePath, $"HTTP {(int)response.StatusCode}."));
            }

            if (time.GetUtcNow() >= prompt.ExpiresOn)
            {
                throw CommandFailure.Refused(CliErrors.DeviceCodeExpired);
            }
        }
    }

    // The user code is printed on a terminal: nothing that could move the cursor or change colours.
    private static bool IsDisplayable(string? userCode)
        => userCode is { Length: > 0 and <= 64 } && userCode.All(c => !char.IsControl(c) && !char.IsWhiteSpace(c));

    // The page with the code filled in (for a link or a QR code), only if it is the verification page's own origin.
    private static Uri? SameOrigin(string? complete, Uri verification)
        => Uri.TryCreate(complete, UriKind.Absolute, out var uri) &&
           string.Equals(uri.GetLeftPart(UriPartial.Authority), verification.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            ? uri
            : null;
}
