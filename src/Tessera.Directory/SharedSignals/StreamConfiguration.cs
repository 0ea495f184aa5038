namespace Tessera.Directory.SharedSignals;

/// <summary>
/// A Shared Signals stream (SSF 1.0 §8.1): the security events of one tenant going to one receiver, an API's own
/// application. Each API instance makes a stream of its own; the stream is visible only to the application that made it.
/// </summary>
public sealed class StreamConfiguration
{
    public const int EndpointLength = 2048;
    public const int DescriptionLength = 1024;

    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The receiver's application (client) id: the stream's owner and the <c>aud</c> of its SETs.</summary>
    public Guid AppId { get; set; }

    /// <summary><see cref="SignalDeliveryMethods"/>.</summary>
    public required string DeliveryMethod { get; set; }

    /// <summary>The receiver's push endpoint; null for poll streams (their endpoint is the transmitter's).</summary>
    public string? EndpointUrl { get; set; }

    /// <summary>The <c>Authorization</c> header value sent with each push, protected at rest (Data Protection); null when none.</summary>
    public string? ProtectedAuthorizationHeader { get; set; }

    /// <summary>The event type URIs the receiver asked for.</summary>
    public List<string> EventsRequested { get; set; } = [];
    public string? Description { get; set; }

    /// <summary><see cref="SignalStreamStatuses"/>.</summary>
    public required string Status { get; set; }
    public string? StatusReason { get; set; }

    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>The last sign of a live receiver: a poll, an accepted push, a change of the stream.</summary>
    public DateTimeOffset LastActivityDateTime { get; set; }

    /// <summary>Seconds without a sign of life after which the stream is paused, and twice that after which it is deleted.</summary>
    public int InactivityTimeoutSeconds { get; set; }
    public string? ConcurrencyStamp { get; set; }
}

public static class SignalDeliveryMethods
{
    public const string Push = "urn:ietf:rfc:8935";
    public const string Poll = "urn:ietf:rfc:8936";
}

public static class SignalStreamStatuses
{
    public const string Enabled = "enabled";
    public const string Paused = "paused";
    public const string Disabled = "disabled";
}
