using System.Security.Cryptography;
using System.Text;

namespace Tessera.Policy.Clients;

/// <summary>
/// Client secrets are made by the server, never chosen by people: 256 bits of randomness.
/// Because they are random, a single SHA-256 is enough to store them (a slow password hash
/// defends low-entropy input and would cap the token endpoint to a few hundred requests a second).
/// </summary>
public static class ClientSecrets
{
    private const int SecretBytes = 32;
    private const string HashPrefix = "sha256:";

    /// <summary>A new secret: a three-character hint, then 256 random bits in URL-safe base64.</summary>
    public static string Generate()
    {
        var bytes = RandomNumberGenerator.GetBytes(SecretBytes);
        var body = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return "tsr" + "~" + body;
    }

    /// <summary>The first characters shown to people so that they can tell secrets apart.</summary>
    public static string Hint(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Length <= 6 ? secret : secret[..6];
    }

    /// <summary>The stored form of a secret.</summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Compares a presented secret with a stored hash in constant time.</summary>
    public static bool Matches(string presented, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(storedHash);
        if (!storedHash.StartsWith(HashPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(storedHash);
        var actual = Encoding.ASCII.GetBytes(Hash(presented));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
