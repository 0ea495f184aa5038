using System.Text;

namespace Tessera.Policy.Passwords;

/// <summary>
/// How a password (or a word it is compared with) is normalised before comparison: Unicode compatibility form, lower
/// case, the character substitutions people use to dress a word up (p@ssw0rd), and only letters kept. A '1' stands
/// for an 'i' as often as for an 'l', so every comparison is made with both readings.
/// </summary>
internal static class PasswordText
{
    public static readonly char[] OneReadings = ['i', 'l'];

    /// <summary>NFKC and lower case: what the person typed, without the differences that do not make it harder to guess.</summary>
    public static string Fold(string text) => text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    /// <summary>The letter a digit or symbol commonly stands for, or the character itself.</summary>
    public static char Substitute(char c, char one) => c switch
    {
        '0' => 'o',
        '1' => one,
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        _ => c,
    };

    /// <summary>Every character substituted, then only letters kept: what the text says, whatever it is dressed in.</summary>
    public static string Squash(string folded, char one)
    {
        var letters = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            var s = Substitute(c, one);
            if (char.IsLetter(s))
            {
                letters.Append(s);
            }
        }

        return letters.ToString();
    }

    /// <summary>
    /// The word at the heart of a password: letter-like symbols (@, $) read as letters, digits, years and symbols at
    /// either end removed, then squashed. "GoSeaHawks2022!" is "goseahawks"; "P@ssw0rd123" is "password".
    /// </summary>
    public static string Core(string folded, char one)
    {
        var start = 0;
        var end = folded.Length;
        while (start < end && !IsLetterLike(folded[start]))
        {
            start++;
        }

        while (end > start && !IsLetterLike(folded[end - 1]))
        {
            end--;
        }

        return Squash(folded[start..end], one);
    }

    /// <summary>The runs of letters of a password once substituted: the words it is made of.</summary>
    public static IEnumerable<string> Words(string folded, char one)
    {
        var word = new StringBuilder();
        foreach (var c in folded)
        {
            var s = Substitute(c, one);
            if (char.IsLetter(s))
            {
                word.Append(s);
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    /// <summary>The parts of a name worth looking for: each run of letters and digits, and the whole name squashed.</summary>
    public static IEnumerable<string> NameParts(string name, int shortest)
    {
        var folded = Fold(name);
        var parts = folded.Split(static c => !char.IsLetterOrDigit(c));
        foreach (var part in parts.Append(folded))
        {
            var squashed = Squash(part, 'i');
            if (squashed.Length >= shortest)
            {
                yield return squashed;
            }
        }
    }

    /// <summary>The number of characters a person counts (Unicode scalar values, not UTF-16 units).</summary>
    public static int Length(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>Whether <paramref name="a"/> becomes <paramref name="b"/> with at most one insertion, deletion or substitution.</summary>
    public static bool WithinOneEdit(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (Math.Abs(a.Length - b.Length) > 1)
        {
            return false;
        }

        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        if (i == a.Length || i == b.Length)
        {
            return true;
        }

        return a.Length == b.Length ? a[(i + 1)..].SequenceEqual(b[(i + 1)..])
            : a.Length > b.Length ? a[(i + 1)..].SequenceEqual(b[i..])
            : a[i..].SequenceEqual(b[(i + 1)..]);
    }

    private static bool IsLetterLike(char c) => char.IsLetter(c) || c is '@' or '$';

    private static IEnumerable<string> Split(this string text, Func<char, bool> separator)
    {
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || separator(text[i]))
            {
                if (i > start)
                {
                    yield return text[start..i];
                }

                start = i + 1;
            }
        }
    }
}
