namespace Tessera.Directory.Audit;

/// <summary>
/// One entry of a tenant's tamper-evident audit log (Graph's <c>directoryAudit</c>). <see cref="Hash"/> covers the
/// content and <see cref="PreviousHash"/>; see <c>Tessera.Policy.Audit.AuditChain</c>.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>Position in the tenant's chain, from 1, without gaps.</summary>
    public long Sequence { get; set; }
    public DateTimeOffset ActivityDateTime { get; set; }
    public required string Category { get; set; }
    public required string ActivityDisplayName { get; set; }
    public required string Result { get; set; }

    /// <summary>JSON: who did it (user or application, id and name).</summary>
    public required string InitiatedBy { get; set; }

    /// <summary>JSON: what it was done to, with the changed properties before and after (secrets redacted).</summary>
    public required string TargetResources { get; set; }
    public required string CorrelationId { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}

/// <summary>The end of a tenant's chain. Writers update it with optimistic concurrency, so entries are strictly sequential.</summary>
public sealed class AuditChainHead
{
    public Guid TenantId { get; set; }
    public long LastSequence { get; set; }
    public required string LastHash { get; set; }
}
