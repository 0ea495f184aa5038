using System.Globalization;
using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>
/// The tenant's default app management policy (Graph's <c>tenantAppManagementPolicy</c>): the one restriction Tessera
/// enforces is the longest lifetime of a client secret, written as an ISO 8601 duration in days (<c>P180D</c>), from
/// one day to two years; and, when the tenant wants no secrets at all, <c>passwordAddition</c>, which refuses every
/// new one. Secrets get <see cref="RegistrationRules.DefaultSecretLifetime"/>, or the maximum if shorter.
/// </summary>
public static class AppManagementPolicyRules
{
    /// <summary>The restriction type of a secret's lifetime, as Graph names it.</summary>
    public const string PasswordLifetime = "passwordLifetime";

    /// <summary>The restriction type that forbids new client secrets (certificates and federated credentials only).</summary>
    public const string PasswordAddition = "passwordAddition";

    public const int ShortestSecretLifetimeDays = 1;

    public static int LongestSecretLifetimeDays => (int)RegistrationRules.LongestSecretLifetime.TotalDays;

    /// <summary>Days as the policy writes them: <c>P730D</c>.</summary>
    public static string Duration(int days) => string.Create(CultureInfo.InvariantCulture, $"P{days}D");

    /// <summary>The secret lifetime restriction and the one that forbids new secrets exist.</summary>
    public static TesseraError? RestrictionType(string? value)
        => value is PasswordLifetime or PasswordAddition ? null : RegistrationErrors.AppPolicyRestrictionUnsupported.With(value ?? "(none)");

    /// <summary>A maximum secret lifetime: <c>P{days}D</c> with 1 to 730 days.</summary>
    public static (int Days, TesseraError? Error) MaxLifetimeDays(string? value)
    {
        if (value is { Length: >= 3 and <= 6 } && value[0] == 'P' && value[^1] == 'D' &&
            value[1..^1].All(char.IsAsciiDigit) &&
            int.TryParse(value[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) &&
            days >= ShortestSecretLifetimeDays && days <= LongestSecretLifetimeDays)
        {
            return (days, null);
        }

        return (0, RegistrationErrors.AppPolicyMaxLifetimeInvalid.With(value ?? "(none)"));
    }
}
