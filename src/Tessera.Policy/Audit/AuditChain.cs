using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tessera.Policy.Audit;

/// <summary>The hashed content of one audit entry: everything that says what happened, who did it, and to what.</summary>
public sealed record AuditRecord(
    long Sequence,
    Guid TenantId,
    DateTimeOffset ActivityDateTime,
    string Category,
    string ActivityDisplayName,
    string Result,
    string InitiatedBy,
    string TargetResources,
    string CorrelationId);

/// <summary>One stored link of the chain: a record, the hash it was chained to, and its own hash.</summary>
public sealed record AuditLink(AuditRecord Record, string PreviousHash, string Hash);

/// <summary>The outcome of checking a chain: intact, or the first entry whose content or link does not hold.</summary>
public sealed record AuditVerification(bool Intact, long Checked, long? FirstBrokenSequence, string? Reason);

/// <summary>
/// A tamper-evident audit log: each entry's hash covers its content and the previous entry's hash, so editing,
/// deleting or reordering any entry breaks every hash after it. The same code runs in the server (to write) and in
/// the CLI (to verify), so a verifier need not trust the server that serves the log.
/// </summary>
public static class AuditChain
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>Entries are timed to the millisecond, the precision every supported database keeps.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant)
        => new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public static string Hash(string previousHash, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(record);

        // A JSON array is an unambiguous encoding: no field can run into the next.
        var canonical = JsonSerializer.Serialize(new object[]
        {
            previousHash,
            record.Sequence,
            record.TenantId.ToString("D"),
            Truncate(record.ActivityDateTime).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            record.Category,
            record.ActivityDisplayName,
            record.Result,
            record.InitiatedBy,
            record.TargetResources,
            record.CorrelationId,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Checks links in sequence order, starting from the genesis hash at sequence 1.</summary>
    public static AuditVerification Verify(IEnumerable<AuditLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var previous = Genesis;
        long expected = 1, count = 0;
        foreach (var link in links)
        {
            count++;
            if (link.Record.Sequence != expected)
            {
                return new AuditVerification(false, count, expected, $"entry {expected} is missing (found {link.Record.Sequence} in its place)");
            }

            if (!string.Equals(link.PreviousHash, previous, StringComparison.Ordinal))
            {
                return new AuditVerification(false, count, link.Record.Sequence, "its link to the previous entry does not match");
            }

            if (!string.Equals(Hash(previous, link.Record), link.Hash, StringComparison.Ordinal))
            {
                return new AuditVerification(false, count, link.Record.Sequence, "its content was changed after it was written");
            }

            previous = link.Hash;
            expected++;
        }

        return new AuditVerification(true, count, null, null);
    }
}
