namespace Tessera.Policy.Workloads;

/// <summary>
/// When a credential (client secret or certificate) needs attention: within <see cref="WarningWindowDays"/> of its end
/// it is listed as expiring and the audit log is told once; after its end it is expired.
/// </summary>
public static class CredentialExpiry
{
    public const int WarningWindowDays = 30;
    public const int LongestWindowDays = 730;

    public static TimeSpan WarningWindow => TimeSpan.FromDays(WarningWindowDays);

    /// <summary>Whole days until <paramref name="end"/>; negative once it has passed.</summary>
    public static int DaysLeft(DateTimeOffset end, DateTimeOffset now) => (int)Math.Floor((end - now).TotalDays);

    /// <summary>A window asked for in days: 1 to <see cref="LongestWindowDays"/>, or the warning window when none is given.</summary>
    public static (int Days, bool Valid) Window(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (WarningWindowDays, true);
        }

        return text.All(char.IsAsciiDigit) && text.Length <= 4 && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var days) &&
               days is >= 1 and <= LongestWindowDays
            ? (days, true)
            : (0, false);
    }
}
