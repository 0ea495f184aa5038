using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Policy.Audit;

namespace Tessera.Cli.Audit;

/// <summary>
/// Rebuilds the chain links from the admin API's audit entries: the exact strings the server hashed
/// (<c>hashedInitiatedBy</c>, <c>hashedTargetResources</c>) and the tenant of the signed-in session, never a tenant
/// the server names, so that a server cannot pass off another tenant's chain.
/// </summary>
internal static class AuditEntries
{
    /// <summary>The link an entry stands for; a missing field is reported by name.</summary>
    public static AuditLink ToLink(JsonObject entry, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var record = new AuditRecord(
            long.TryParse(entry.Text("sequence"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence) ? sequence : throw Missing("sequence"),
            tenantId,
            entry.Date("activityDateTime") ?? throw Missing("activityDateTime"),
            Required(entry, "category"),
            Required(entry, "activityDisplayName"),
            Required(entry, "result"),
            Required(entry, "hashedInitiatedBy"),
            Required(entry, "hashedTargetResources"),
            Required(entry, "correlationId"));
        return new AuditLink(record, Required(entry, "previousHash"), Required(entry, "hash"));
    }

    private static string Required(JsonObject entry, string name) => entry.Text(name) ?? throw Missing(name);

    private static FormatException Missing(string name) => new($"the server's entry has no valid '{name}'");
}
