namespace Tessera.AspNetCore.Caching;

/// <summary>
/// Compares tokens character for character, but hashes only their last characters: the end of the signature, which
/// differs from token to token and which nobody can choose for a token that verifies (and only verified tokens are ever
/// stored). A lookup thus reads the whole token once, to compare, not twice. Looks up by span as well, so the token
/// need not be cut out of the Authorization header as a string of its own.
/// </summary>
internal sealed class TokenComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    private const int HashedLength = 48;

    public static readonly TokenComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

    // string.GetHashCode(span) is seeded per process, so the buckets cannot be predicted from outside.
    public int GetHashCode(ReadOnlySpan<char> alternate)
        => string.GetHashCode(alternate.Length > HashedLength ? alternate[^HashedLength..] : alternate);

    public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
}
