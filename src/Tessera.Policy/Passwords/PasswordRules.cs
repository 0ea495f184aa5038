using Tessera.Policy.Errors;

namespace Tessera.Policy.Passwords;

/// <summary>
/// Which passwords may be set (OWASP ASVS 5.0 V6): long enough, any characters, no composition rules, and not one an
/// attacker tries early — a common password or word dressed up with digits and symbols, the organisation's or the
/// person's own name, a password-spray pattern (season, month, day or team plus a year), a keyboard walk, a repetition,
/// or a word of the organisation's banned list (also with one letter changed). Each refusal says why in words a person
/// can act on and never repeats the password. One check costs a few microseconds.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 256;

    /// <summary>Context and banned words shorter than this are not looked for: they would refuse too much.</summary>
    public const int ShortestWord = 4;

    /// <summary>A banned word this long or longer is also refused with one letter changed, added or dropped.</summary>
    public const int ShortestFuzzyWord = 5;

    /// <summary>How many characters besides spray words a password may have and still be a spray pattern.</summary>
    private const int SprayLeftover = 3;

    /// <summary>Null when <paramref name="password"/> may be set; otherwise why not.</summary>
    public static TesseraError? Check(string? password, PasswordContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(password))
        {
            return PasswordErrors.Empty.With(MinimumLength);
        }

        var length = PasswordText.Length(password);
        if (length < MinimumLength)
        {
            return PasswordErrors.TooShort.With(MinimumLength);
        }

        if (length > MaximumLength)
        {
            return PasswordErrors.TooLong.With(MaximumLength);
        }

        var folded = PasswordText.Fold(password);
        return Common(folded)
               ?? ContainsAny(folded, context.OrganisationNames, PasswordErrors.OrganisationName)
               ?? ContainsAny(folded, context.PersonNames, PasswordErrors.UserName)
               ?? SprayWord(folded)
               ?? SprayPattern(folded)
               ?? KeyboardWalk(folded)
               ?? Repetitive(folded)
               ?? (context.EnforceBannedWords ? BannedWord(folded, context.BannedWords) : null);
    }

    /// <summary>A banned list entry's problem, or null when it may be added (4 to 64 characters, some letters).</summary>
    public static string? BannedWordProblem(string? word)
        => word is null || word.Trim().Length is < ShortestWord or > 64 ? "must be 4 to 64 characters long"
            : PasswordText.Squash(PasswordText.Fold(word.Trim()), 'i').Length < ShortestWord ? "must hold at least 4 letters (digits read as the letters they stand for)"
            : null;

    private static TesseraError? Common(string folded)
    {
        if (PasswordLists.CommonAsTyped.Contains(folded.Replace(" ", string.Empty, StringComparison.Ordinal)))
        {
            return PasswordErrors.Common;
        }

        foreach (var one in PasswordText.OneReadings)
        {
            if (PasswordLists.CommonCores.Contains(PasswordText.Core(folded, one)) ||
                PasswordLists.CommonCores.Contains(PasswordText.Squash(folded, one)))
            {
                return PasswordErrors.CommonWord;
            }
        }

        return null;
    }

    private static TesseraError? ContainsAny(string folded, IReadOnlyList<string> names, TesseraError error)
    {
        if (names.Count == 0)
        {
            return null;
        }

        var readings = PasswordText.OneReadings.Select(one => PasswordText.Squash(folded, one)).ToArray();
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                continue;
            }

            foreach (var part in PasswordText.NameParts(name, ShortestWord))
            {
                if (readings.Any(r => r.Contains(part, StringComparison.Ordinal)))
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static TesseraError? SprayWord(string folded)
    {
        foreach (var one in PasswordText.OneReadings)
        {
            var squashed = PasswordText.Squash(folded, one);
            if (PasswordLists.SprayWords.Any(w => squashed.Contains(w, StringComparison.Ordinal)))
            {
                return PasswordErrors.SprayWord;
            }
        }

        return null;
    }

    /// <summary>
    /// The core is spray words and at most a few other letters: the least number of letters left over when the core is
    /// cut into spray words, found by dynamic programming over its positions.
    /// </summary>
    private static TesseraError? SprayPattern(string folded)
    {
        Span<int> leftovers = stackalloc int[65];
        Span<bool> usedWords = stackalloc bool[65];
        foreach (var one in PasswordText.OneReadings)
        {
            var core = PasswordText.Core(folded, one);
            if (core.Length == 0 || core.Length > 64)
            {
                continue;
            }

            var leftover = leftovers[..(core.Length + 1)];
            var usedWord = usedWords[..(core.Length + 1)];
            usedWord[0] = false;
            leftover[0] = 0;
            for (var end = 1; end <= core.Length; end++)
            {
                leftover[end] = leftover[end - 1] + 1;
                usedWord[end] = usedWord[end - 1];
                for (var start = Math.Max(0, end - PasswordLists.LongestSprayWord); start < end; start++)
                {
                    if (leftover[start] <= leftover[end] && PasswordLists.SprayLookup.Contains(core.AsSpan(start, end - start)))
                    {
                        leftover[end] = leftover[start];
                        usedWord[end] = true;
                    }
                }
            }

            if (usedWord[core.Length] && leftover[core.Length] <= SprayLeftover)
            {
                return PasswordErrors.SprayPattern;
            }
        }

        return null;
    }

    /// <summary>At least half of the password lies on runs of four or more neighbouring keys (either way along a row or column).</summary>
    private static TesseraError? KeyboardWalk(string folded)
    {
        var text = folded.Replace(" ", string.Empty, StringComparison.Ordinal);
        if (text.Length == 0)
        {
            return null;
        }

        Span<bool> covered = text.Length <= 256 ? stackalloc bool[text.Length] : new bool[text.Length];
        foreach (var walk in PasswordLists.Walks)
        {
            var run = 1;
            for (var i = 1; i <= text.Length; i++)
            {
                if (i < text.Length && Neighbours(walk, text[i - 1], text[i]))
                {
                    run++;
                    continue;
                }

                if (run >= 4)
                {
                    covered[(i - run)..i].Fill(true);
                }

                run = 1;
            }
        }

        return covered.Count(true) * 2 >= text.Length ? PasswordErrors.KeyboardWalk : null;
    }

    private static bool Neighbours(string walk, char a, char b)
    {
        var at = walk.IndexOf(a, StringComparison.Ordinal);
        return at >= 0 && ((at + 1 < walk.Length && walk[at + 1] == b) || (at > 0 && walk[at - 1] == b));
    }

    /// <summary>Three or fewer different characters, or a short unit over and over (abcabcabcabc).</summary>
    private static TesseraError? Repetitive(string folded)
    {
        if (folded.EnumerateRunes().Distinct().Count() <= 3)
        {
            return PasswordErrors.Repetitive;
        }

        for (var unit = 1; unit <= Math.Min(6, folded.Length / 3); unit++)
        {
            var repeats = true;
            for (var i = unit; i < folded.Length && repeats; i++)
            {
                repeats = folded[i] == folded[i % unit];
            }

            if (repeats)
            {
                return PasswordErrors.Repetitive;
            }
        }

        return null;
    }

    /// <summary>Contains a banned word (normalised), or has a word within one edit of a banned word of five or more letters.</summary>
    private static TesseraError? BannedWord(string folded, IReadOnlyList<string> banned)
    {
        foreach (var one in PasswordText.OneReadings)
        {
            var squashed = PasswordText.Squash(folded, one);
            var words = PasswordText.Words(folded, one).Append(PasswordText.Core(folded, one)).Distinct(StringComparer.Ordinal).ToArray();
            foreach (var entry in banned)
            {
                var word = PasswordText.Squash(PasswordText.Fold(entry), 'i');
                if (word.Length < ShortestWord)
                {
                    continue;
                }

                if (squashed.Contains(word, StringComparison.Ordinal) ||
                    (word.Length >= ShortestFuzzyWord && words.Any(w => PasswordText.WithinOneEdit(w, word))))
                {
                    return PasswordErrors.Banned;
                }
            }
        }

        return null;
    }
}
