using System.Text.Json;
using Tessera.Cli.Session;
using Tessera.Policy.Audit;

namespace Tessera.Cli.Audit;

/// <summary>The last entry of a tenant's chain that this machine verified.</summary>
internal sealed record AuditCheckpoint(long Sequence, string Hash, DateTimeOffset VerifiedOn);

/// <summary>
/// What a chain alone cannot show: someone able to write the database can cut the newest entries off, or rewrite the
/// whole chain with fresh hashes, and the chain still checks. Each <c>tessera audit verify</c> therefore remembers the
/// last entry it verified (in the configuration folder, per tenant) and fails the next time that entry is gone or
/// different.
/// </summary>
internal sealed class AuditCheckpoints(SessionStore store)
{
    private const string FileName = "audit-checkpoints.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Null when <paramref name="links"/> still hold the remembered entry; otherwise the break it shows.</summary>
    public AuditVerification? Contradiction(Guid tenantId, IReadOnlyList<AuditLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (!Load().TryGetValue(tenantId.ToString("D"), out var checkpoint))
        {
            return null;
        }

        var verifiedOn = checkpoint.VerifiedOn.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (links.Count < checkpoint.Sequence)
        {
            return new AuditVerification(false, links.Count, checkpoint.Sequence,
                $"the server no longer serves this entry, which this machine verified on {verifiedOn} (the log was cut short)");
        }

        var link = links[(int)(checkpoint.Sequence - 1)];
        return string.Equals(link.Hash, checkpoint.Hash, StringComparison.Ordinal)
            ? null
            : new AuditVerification(false, links.Count, checkpoint.Sequence,
                $"its hash differs from the one this machine verified on {verifiedOn} (the log was rewritten)");
    }

    /// <summary>Remembers the newest entry of an intact chain.</summary>
    public void Remember(Guid tenantId, IReadOnlyList<AuditLink> links, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (links.Count == 0)
        {
            return;
        }

        var all = Load();
        all[tenantId.ToString("D")] = new AuditCheckpoint(links[^1].Record.Sequence, links[^1].Hash, now);
        store.WritePrivate(store.PathOf(FileName), JsonSerializer.SerializeToUtf8Bytes(all, Json));
    }

    private Dictionary<string, AuditCheckpoint> Load()
    {
        var path = store.PathOf(FileName);
        if (!File.Exists(path))
        {
            return new(StringComparer.OrdinalIgnoreCase);
        }

        try
        {
            var loaded = JsonSerializer.Deserialize<Dictionary<string, AuditCheckpoint>>(File.ReadAllBytes(path), Json);
            return new(loaded ?? [], StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException exception)
        {
            throw Failures.CommandFailure.Usage(Failures.CliErrors.LocalFile.With($"'{path}' is not readable JSON ({Api.ServerExchange.OneLine(exception.Message)}); move it away to start over."));
        }
    }
}
