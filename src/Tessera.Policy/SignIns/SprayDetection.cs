namespace Tessera.Policy.SignIns;

/// <summary>
/// Whether the failures of one source look like a password spray: many distinct accounts, a few passwords each. The
/// more accounts, the higher the risk level (Graph's <c>riskLevel</c>).
/// </summary>
public static class SprayDetection
{
    /// <summary>The risk level of a source that failed on <paramref name="accounts"/> distinct accounts, or null when that is no spray.</summary>
    public static string? RiskLevel(int accounts, int threshold)
        => threshold < 1 || accounts < threshold ? null
            : accounts >= threshold * 3 ? "high"
            : "medium";
}
