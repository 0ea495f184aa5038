namespace Tessera.Policy.ConditionalAccess;

/// <summary>How strongly a person proved who they are, weakest first. Each level includes the ones below it.</summary>
public enum AuthenticationStrength
{
    SingleFactor = 0,
    Mfa = 1,
    PasswordlessMfa = 2,
    PhishingResistantMfa = 3,
}

/// <summary>
/// Entra ID's three built-in authentication strengths, by their ids, and the strength a session's <c>amr</c> values
/// reach: <c>mfa</c> is multifactor; multifactor without a password (<c>pwd</c>) is passwordless; a passkey
/// (<c>fido</c>) is phishing-resistant.
/// </summary>
public static class AuthenticationStrengths
{
    public static readonly Guid Mfa = new("00000000-0000-0000-0000-000000000002");
    public static readonly Guid PasswordlessMfa = new("00000000-0000-0000-0000-000000000003");
    public static readonly Guid PhishingResistantMfa = new("00000000-0000-0000-0000-000000000004");

    /// <summary>The built-in strength of an id; <c>null</c> for an id that names none.</summary>
    public static AuthenticationStrength? Of(Guid id)
        => id == Mfa ? AuthenticationStrength.Mfa
            : id == PasswordlessMfa ? AuthenticationStrength.PasswordlessMfa
            : id == PhishingResistantMfa ? AuthenticationStrength.PhishingResistantMfa
            : null;

    public static Guid IdOf(AuthenticationStrength strength) => strength switch
    {
        AuthenticationStrength.Mfa => Mfa,
        AuthenticationStrength.PasswordlessMfa => PasswordlessMfa,
        AuthenticationStrength.PhishingResistantMfa => PhishingResistantMfa,
        _ => Guid.Empty,
    };

    public static string DisplayName(AuthenticationStrength strength) => strength switch
    {
        AuthenticationStrength.Mfa => "Multifactor authentication",
        AuthenticationStrength.PasswordlessMfa => "Passwordless MFA",
        AuthenticationStrength.PhishingResistantMfa => "Phishing-resistant MFA",
        _ => "Single-factor authentication",
    };

    /// <summary>The strength a set of <c>amr</c> values reaches.</summary>
    public static AuthenticationStrength Reached(IReadOnlyCollection<string> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Contains("fido"))
        {
            return AuthenticationStrength.PhishingResistantMfa;
        }

        if (!methods.Contains("mfa"))
        {
            return AuthenticationStrength.SingleFactor;
        }

        return methods.Contains("pwd") ? AuthenticationStrength.Mfa : AuthenticationStrength.PasswordlessMfa;
    }
}
