namespace Tessera.Policy.Passwords;

/// <summary>
/// The built-in lists, read once from the assembly's resources: the most common passwords and base words, and the
/// vocabulary of password sprays (seasons, months, days, sports teams and the words sprays are glued with).
/// </summary>
internal static class PasswordLists
{
    /// <summary>Common passwords as typed (folded, without spaces).</summary>
    public static readonly HashSet<string> CommonAsTyped = new(StringComparer.Ordinal);

    /// <summary>Common passwords and base words, normalised as <see cref="PasswordText.Core"/> normalises.</summary>
    public static readonly HashSet<string> CommonCores = new(StringComparer.Ordinal);

    /// <summary>Words sprays are built from; a password made of these and little else is a spray pattern.</summary>
    public static readonly HashSet<string> SprayVocabulary = new(StringComparer.Ordinal);
    public static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> SprayLookup;
    public static readonly int LongestSprayWord;

    /// <summary>Words that give a password away wherever they appear in it.</summary>
    public static readonly IReadOnlyList<string> SprayWords = ["password", "passwort", "welcome", "letmein", "changeme"];

    /// <summary>Runs of neighbouring keys and sequences; a password walking along one of them is guessed early.</summary>
    public static readonly IReadOnlyList<string> Walks =
    [
        "1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "yxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn",
        "abcdefghijklmnopqrstuvwxyz", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp", "!@#$%^&*()",
        "zaq1xsw2cde3vfr4bgt5nhy6mju7", "0987654321",
    ];

    private static readonly string[] Seasons = ["spring", "summer", "autumn", "fall", "winter"];

    private static readonly string[] Months =
    [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ];

    private static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    // What sprays glue the words above with: GoSeaHawks, ILoveSummer, HappyFriday, Welcome2Winter.
    private static readonly string[] Glue = ["go", "the", "my", "i", "love", "happy", "team", "sea", "we", "our", "to", "at", "welcome", "password", "hello"];

    static PasswordLists()
    {
        foreach (var entry in Read("common-passwords.txt"))
        {
            var folded = PasswordText.Fold(entry);
            CommonAsTyped.Add(folded.Replace(" ", string.Empty, StringComparison.Ordinal));
            foreach (var one in PasswordText.OneReadings)
            {
                if (PasswordText.Core(folded, one) is { Length: > 0 } core)
                {
                    CommonCores.Add(core);
                }
            }
        }

        foreach (var word in Read("sports-teams.txt").Concat(Seasons).Concat(Months).Concat(Days).Concat(Glue))
        {
            SprayVocabulary.Add(PasswordText.Squash(PasswordText.Fold(word), 'i'));
        }

        SprayLookup = SprayVocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        LongestSprayWord = SprayVocabulary.Max(w => w.Length);
    }

    private static List<string> Read(string name)
    {
        using var stream = typeof(PasswordLists).Assembly.GetManifestResourceStream($"Tessera.Policy.Passwords.{name}")
                           ?? throw new InvalidOperationException($"The resource {name} is missing from {typeof(PasswordLists).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                lines.Add(line);
            }
        }

        return lines;
    }
}
