using Tessera.Policy.Errors;
using Tessera.Policy.SignIns;

namespace Tessera.Policy.Passwords;

/// <summary>The bounds of a tenant's password protection policy, checked before anything is stored.</summary>
public static class PasswordProtectionRules
{
    public const int MaxBannedWords = 1000;
    public const int MinLockoutThreshold = 3;
    public const int MaxLockoutThreshold = 100;
    public const int MinLockoutDurationSeconds = 5;
    public const int MaxLockoutDurationSeconds = 86_400;

    /// <summary>The banned list to store (trimmed, duplicates in any case removed, in the order given), or why not.</summary>
    public static (IReadOnlyList<string>? Words, TesseraError? Error) BannedList(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count > MaxBannedWords)
        {
            return (null, SignInProtectionErrors.BannedListTooLong.With(words.Count, MaxBannedWords));
        }

        var kept = new List<string>(words.Count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < words.Count; i++)
        {
            if (PasswordRules.BannedWordProblem(words[i]) is { } problem)
            {
                return (null, SignInProtectionErrors.BannedWordInvalid.With(i, problem));
            }

            var word = words[i].Trim();
            if (seen.Add(word))
            {
                kept.Add(word);
            }
        }

        return (kept, null);
    }

    public static TesseraError? LockoutThreshold(int threshold)
        => threshold is < MinLockoutThreshold or > MaxLockoutThreshold
            ? SignInProtectionErrors.LockoutThresholdInvalid.With(MinLockoutThreshold, MaxLockoutThreshold)
            : null;

    public static TesseraError? LockoutDurationSeconds(int seconds)
        => seconds is < MinLockoutDurationSeconds or > MaxLockoutDurationSeconds
            ? SignInProtectionErrors.LockoutDurationInvalid.With(MinLockoutDurationSeconds, MaxLockoutDurationSeconds)
            : null;
}
