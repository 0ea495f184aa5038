using System.Globalization;
using Tessera.Policy.Errors;

namespace Tessera.Policy.SharedSignals;

/// <summary>What a claims request for <c>access_token.nbf</c> means for a sign-in or a refresh.</summary>
public enum NotBeforeOutcome
{
    /// <summary>No such request, or the authentication is at or after the time asked for.</summary>
    Satisfied,

    /// <summary>The authentication happened before the time asked for: the user must sign in again.</summary>
    TooOld,

    /// <summary>The value is not Unix seconds, or lies further in the future than clocks disagree.</summary>
    Invalid,
}

/// <summary>
/// An API's claims challenge after a Continuous Access Evaluation event asks, through the client, for
/// <c>{"access_token":{"nbf":{"essential":true,"value":"&lt;t+1&gt;"}}}</c>: a token based on an authentication no
/// older than that time. The authorize endpoint signs the user in again when the session is older; the token endpoint
/// refuses a refresh whose sign-in is older.
/// </summary>
public static class NotBeforeRequest
{
    /// <summary>How far ahead of this server's clock a requested time may be (the API's clock may run ahead).</summary>
    public static readonly TimeSpan LargestClockSkew = TimeSpan.FromMinutes(5);

    public static NotBeforeOutcome Check(string? requested, DateTimeOffset authenticatedAt, DateTimeOffset now)
    {
        if (requested is null)
        {
            return NotBeforeOutcome.Satisfied;
        }

        if (!long.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > (now + LargestClockSkew).ToUnixTimeSeconds())
        {
            return NotBeforeOutcome.Invalid;
        }

        return authenticatedAt.ToUnixTimeSeconds() < seconds ? NotBeforeOutcome.TooOld : NotBeforeOutcome.Satisfied;
    }
}
