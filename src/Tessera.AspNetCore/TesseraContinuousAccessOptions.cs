using System.Security.Cryptography.X509Certificates;

namespace Tessera.AspNetCore;

/// <summary>
/// Continuous Access Evaluation: the API subscribes to its tenant's security events (OpenID Shared Signals, CAEP and
/// RISC) and refuses an access token issued before a revocation for its subject (a user disabled, a password changed,
/// sessions revoked...), within about a second instead of at the token's expiry. The check runs on every request
/// from memory, with no network call. Off unless <see cref="Enabled"/> is set.
/// </summary>
public sealed class TesseraContinuousAccessOptions
{
    /// <summary>Whether the API receives security events. Needs a single tenant, <see cref="TesseraApiOptions.ClientId"/> and a client credential.</summary>
    public bool Enabled { get; set; }

    /// <summary>How events reach the API: <see cref="TesseraEventDelivery.Push"/> (default; needs <see cref="PushEndpoint"/>) or <see cref="TesseraEventDelivery.Poll"/>.</summary>
    public TesseraEventDelivery Delivery { get; set; } = TesseraEventDelivery.Push;

    /// <summary>
    /// For push: the absolute address at which the Tessera server reaches this API instance, e.g.
    /// <c>https://orders-1.example.com/ssf/events</c> (HTTPS, or HTTP on loopback). <c>MapTesseraSharedSignals()</c>
    /// serves its path.
    /// </summary>
    public string? PushEndpoint { get; set; }

    /// <summary>The API application's client secret, to get the token that manages its event stream. Or set <see cref="ClientCertificate"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>A certificate of the API application, with its private key, to authenticate with <c>private_key_jwt</c> instead of a secret.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// A folder of this API instance (not shared with another instance) where the stream and the revocations received
    /// are kept, so that a restarted instance keeps refusing what it refused and receives what it missed. Without it,
    /// each start makes a new stream and remembers nothing.
    /// </summary>
    public string? StateDirectory { get; set; }
}

/// <summary>How security events reach the API.</summary>
public enum TesseraEventDelivery
{
    /// <summary>The server posts each event to <see cref="TesseraContinuousAccessOptions.PushEndpoint"/> (RFC 8935).</summary>
    Push,

    /// <summary>The API asks the server for events, holding each request open until one comes (RFC 8936).</summary>
    Poll,
}
