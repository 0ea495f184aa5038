namespace Tessera.Directory.Keys;

/// <summary>
/// A token-signing key of the platform. The private key is stored encrypted (Data Protection);
/// its lifecycle is: published (in JWKS, not yet signing) → active (signing) → retired (still in JWKS until
/// tokens it signed have expired) → removed.
/// </summary>
public sealed class SigningKey
{
    /// <summary>The <c>kid</c>.</summary>
    public required string Id { get; set; }
    public required string Algorithm { get; set; }

    /// <summary>
    /// The rotation period this key belongs to. Unique: when two nodes create the next key at once,
    /// the database keeps one and the other node reads it, so the nodes never disagree. A key made by an emergency
    /// rollover stands outside the schedule with a random negative generation.
    /// </summary>
    public long Generation { get; set; }

    /// <summary>The private key in PKCS#8, encrypted with Data Protection.</summary>
    public required string ProtectedPrivateKey { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>From this moment the key signs new tokens.</summary>
    public DateTimeOffset ActivateDateTime { get; set; }

    /// <summary>From this moment the key no longer signs.</summary>
    public DateTimeOffset DeactivateDateTime { get; set; }

    /// <summary>From this moment the key is no longer published: every token it signed has expired.</summary>
    public DateTimeOffset RetireDateTime { get; set; }
}
