using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Tessera.Cli.Commands;

/// <summary>
/// Time windows and instants as people type them: <c>30d</c>, <c>12h</c>, <c>8w</c>; dates as <c>2027-01-31</c> or
/// any ISO 8601 date and time (UTC unless it says otherwise).
/// </summary>
internal static class TimeArguments
{
    public static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 2 ||
            !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }

        TimeSpan? parsed = char.ToLowerInvariant(text[^1]) switch
        {
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            'w' => TimeSpan.FromDays(7 * amount),
            _ => null,
        };
        window = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>An option holding a window such as <c>30d</c>.</summary>
    public static Option<TimeSpan?> Window(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "window",
        CustomParser = result => ParseWindow(result),
    };

    /// <summary>An option holding a date, or a window from now such as <c>90d</c>.</summary>
    public static Option<DateTimeOffset?> Instant(string name, string description, TimeProvider time) => new(name)
    {
        Description = description,
        HelpName = "date",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (string.Equals(text, "now", StringComparison.OrdinalIgnoreCase))
            {
                return time.GetUtcNow();
            }

            if (TryParseWindow(text, out var window))
            {
                return time.GetUtcNow() + window;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            {
                return date;
            }

            result.AddError($"{name} takes a date (2027-01-31, or ISO 8601), a time from now (90d, 12w) or 'now', not '{text}'.");
            return null;
        },
    };

    private static TimeSpan? ParseWindow(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (TryParseWindow(text, out var window))
        {
            return window;
        }

        result.AddError($"'{text}' is not a time window: write a number and a unit, h, d or w (30d).");
        return null;
    }
}
