namespace Tessera.Directory.SharedSignals;

/// <summary>
/// One Security Event Token waiting for its stream's receiver (the outbox): written in the transaction of the change it
/// reports, kept until the receiver acknowledges it (push: 202; poll: <c>ack</c>). Any server node may deliver a push
/// row once it holds the row's lease, so several nodes on one database deliver each SET once.
/// </summary>
public sealed class QueuedSecurityEvent
{
    public const int EventTypeLength = 128;

    /// <summary>The SET's <c>jti</c>.</summary>
    public Guid Id { get; set; }
    public Guid StreamId { get; set; }
    public Guid TenantId { get; set; }
    public required string EventType { get; set; }

    /// <summary>The signed SET (compact JWS).</summary>
    public required string Token { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>When a push may be tried (again), or a poll may hand the SET out.</summary>
    public DateTimeOffset NextAttemptDateTime { get; set; }
    public int Attempts { get; set; }

    /// <summary>Which node holds the row for a push attempt, until <see cref="LeaseExpiresDateTime"/>.</summary>
    public Guid? LeaseId { get; set; }
    public DateTimeOffset? LeaseExpiresDateTime { get; set; }
}
