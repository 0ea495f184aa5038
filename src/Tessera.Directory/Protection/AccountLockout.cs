namespace Tessera.Directory.Protection;

/// <summary>
/// Smart lockout state of one account for one kind of source: sign-ins from sources the account has signed in from
/// before (familiar) are counted apart from all others, so that an attacker elsewhere locks out only unfamiliar
/// sources while the person at their usual place still gets in. Kept in the database so that every server node sees
/// the same counts.
/// </summary>
public sealed class AccountLockout
{
    public const int RecentFailureHashesLength = 200;

    public Guid UserId { get; set; }

    /// <summary>Whether this state counts failures from familiar sources.</summary>
    public bool FamiliarSource { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>Failures since the last success or lockout, each distinct wrong password counted once.</summary>
    public int Failures { get; set; }

    /// <summary>Lockouts in a row (reset by a success or a quiet day): each lasts twice as long as the one before.</summary>
    public int Lockouts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? LastFailure { get; set; }

    /// <summary>Short keyed hashes of the last few wrong passwords, space-separated: never the passwords themselves.</summary>
    public string RecentFailureHashes { get; set; } = string.Empty;
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}
