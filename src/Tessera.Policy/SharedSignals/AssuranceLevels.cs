namespace Tessera.Policy.SharedSignals;

/// <summary>A user's achievable assurance before and after a change of their authentication methods.</summary>
public sealed record AssuranceChange(string Previous, string Current)
{
    public bool IsDecrease => AssuranceLevels.Rank(Current) < AssuranceLevels.Rank(Previous);
}

/// <summary>
/// The strongest sign-in a user's registered methods allow, in CAEP's <c>NIST-AAL</c> namespace: a passkey is
/// phishing-resistant multifactor (<c>nist-aal3</c>), an authenticator app multifactor (<c>nist-aal2</c>), a password
/// alone single-factor (<c>nist-aal1</c>). Recovery codes stand in for the app and change nothing. When a change moves
/// the level, APIs hear <c>assurance-level-change</c>; a decrease makes them refuse tokens whose <c>acrs</c>/<c>amr</c>
/// may no longer hold.
/// </summary>
public static class AssuranceLevels
{
    public const string Namespace = "NIST-AAL";
    public const string SingleFactor = "nist-aal1";
    public const string MultiFactor = "nist-aal2";
    public const string PhishingResistant = "nist-aal3";

    public static string Achievable(int passkeys, bool authenticatorApp)
        => passkeys > 0 ? PhishingResistant : authenticatorApp ? MultiFactor : SingleFactor;

    /// <summary>The change to announce, or null when the level stays the same.</summary>
    public static AssuranceChange? Change(string previous, string current)
        => string.Equals(previous, current, StringComparison.Ordinal) ? null : new AssuranceChange(previous, current);

    internal static int Rank(string level) => level switch
    {
        PhishingResistant => 3,
        MultiFactor => 2,
        _ => 1,
    };
}
