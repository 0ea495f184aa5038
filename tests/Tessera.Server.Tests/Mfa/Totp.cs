using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Tessera.Server.Tests.Mfa;

/// <summary>
/// An authenticator app for the tests, written from RFC 6238 (TOTP) and RFC 4226 (HOTP): HMAC-SHA1 over the 30-second
/// time step, dynamic truncation, 6 digits. Independent of the server's implementation, so a test fails if either is wrong.
/// </summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset at)
    {
        var step = at.ToUnixTimeSeconds() / 30;
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // RFC 6238 TOTP is defined over HMAC-SHA1, which is what authenticator apps use.
        var hash = HMACSHA1.HashData(Base32(base32Key), counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Now(string base32Key) => Code(base32Key, DateTimeOffset.UtcNow);

    /// <summary>
    /// A code the server accepts now and nobody has used: the server takes the current step and the ones either side,
    /// each code once. <paramref name="used"/> is what this key has already spent.
    /// </summary>
    public static string Unused(string base32Key, ISet<string> used)
    {
        ArgumentNullException.ThrowIfNull(used);
        var now = DateTimeOffset.UtcNow;
        foreach (var seconds in new[] { 0, 30, -30 })
        {
            var code = Code(base32Key, now.AddSeconds(seconds));
            if (used.Add(code))
            {
                return code;
            }
        }

        throw new InvalidOperationException("Every code of this key valid now was used already; wait for the next step.");
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", string.Empty, StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
