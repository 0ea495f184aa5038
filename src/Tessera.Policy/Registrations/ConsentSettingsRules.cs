using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>
/// The settings the consent decisions read, checked when an administrator writes them: what users may consent to
/// (the authorization policy), how risky each delegated permission is rated, and a vouched-for publisher.
/// Each method returns the value to keep, or the error naming the field and the rule.
/// </summary>
public static class ConsentSettingsRules
{
    /// <summary>Graph's risk ratings, widened as Tessera widens them: users may consent only to <c>low</c> by default.</summary>
    public static readonly IReadOnlyList<string> Classifications = ["low", "medium", "high"];

    public const int LongestPublisherId = 64;
    public const int LongestPublisherName = 256;

    /// <summary>
    /// The user consent policy named by Graph's <c>permissionGrantPoliciesAssigned</c>: none (an empty list: users may
    /// not consent) or exactly one of <paramref name="known"/>. Null <see cref="UserConsentChoice.Policy"/> means none.
    /// </summary>
    public static UserConsentChoice UserConsentPolicy(IReadOnlyList<string> assigned, IReadOnlyList<string> known)
    {
        ArgumentNullException.ThrowIfNull(assigned);
        ArgumentNullException.ThrowIfNull(known);
        var allowed = string.Join(", ", known);
        var unknown = assigned.FirstOrDefault(value => !known.Contains(value, StringComparer.Ordinal));
        if (unknown is not null)
        {
            return new UserConsentChoice(null, RegistrationErrors.UserConsentPolicyUnknown.With(unknown, allowed));
        }

        return assigned.Distinct(StringComparer.Ordinal).Count() switch
        {
            0 => new UserConsentChoice(null, null),
            1 => new UserConsentChoice(assigned[0], null),
            var count => new UserConsentChoice(null, RegistrationErrors.UserConsentPolicyTooMany.With(count, allowed)),
        };
    }

    /// <summary>A classification as stored (lower case): <c>low</c>, <c>medium</c> or <c>high</c>, in any case.</summary>
    public static (string? Classification, TesseraError? Error) Classification(string? value)
    {
        var stored = Classifications.FirstOrDefault(c => string.Equals(c, value?.Trim(), StringComparison.OrdinalIgnoreCase));
        return stored is null
            ? (null, RegistrationErrors.ClassificationUnknown.With(value ?? "(none)"))
            : (stored, null);
    }

    /// <summary>
    /// A publisher id an administrator vouches for (Graph's <c>verifiedPublisherId</c>, in Entra a partner network id):
    /// visible text of 1 to <see cref="LongestPublisherId"/> characters.
    /// </summary>
    public static TesseraError? PublisherId(string? value)
        => IsVisibleText(value, LongestPublisherId) ? null : RegistrationErrors.PublisherIdInvalid.With(LongestPublisherId);

    /// <summary>The publisher's name as consent pages show it: visible text of 1 to <see cref="LongestPublisherName"/> characters.</summary>
    public static TesseraError? PublisherName(string? value)
        => IsVisibleText(value, LongestPublisherName) ? null : RegistrationErrors.PublisherNameInvalid.With(LongestPublisherName);

    // Shown to people deciding whether to trust an application: no control characters that could disguise it.
    private static bool IsVisibleText(string? value, int longest)
        => !string.IsNullOrWhiteSpace(value) && value.Length <= longest && !value.Any(char.IsControl);
}

/// <summary>The user consent policy chosen (null: users may not consent), or why the choice was refused.</summary>
public sealed record UserConsentChoice(string? Policy, TesseraError? Error);
