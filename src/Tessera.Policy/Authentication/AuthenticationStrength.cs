namespace Tessera.Policy.Authentication;

/// <summary>
/// How strongly a person proved who they are, weakest first; each strength satisfies every one before it.
/// Modelled on Entra ID's built-in authentication strengths.
/// </summary>
public enum AuthenticationStrength
{
    /// <summary>Not signed in, or by nothing Tessera recognises.</summary>
    None = 0,

    /// <summary>One factor: a password.</summary>
    Password = 1,

    /// <summary>Two factors, for example a password and an authenticator app code.</summary>
    Mfa = 2,

    /// <summary>Two factors without a password (a passkey: something held, unlocked by something known or a biometric).</summary>
    PasswordlessMfa = 3,

    /// <summary>Passwordless MFA bound to the site's origin, so a look-alike site cannot relay it (a passkey, FIDO2).</summary>
    PhishingResistantMfa = 4,
}

/// <summary>
/// The <c>amr</c> values (RFC 8176, as Entra ID writes them) of each way to sign in, the strength they reach, and the
/// <c>acr</c> value that names a strength in tokens and in a client's <c>acr_values</c>. Pure: no I/O, no clock.
/// </summary>
public static class AuthenticationStrengths
{
    public const string PasswordMethod = "pwd";
    public const string OneTimePasswordMethod = "otp";
    public const string MultipleFactorsMethod = "mfa";
    public const string FidoMethod = "fido";

    /// <summary>The <c>amr</c> of a password alone.</summary>
    public static readonly IReadOnlyList<string> Password = [PasswordMethod];

    /// <summary>The <c>amr</c> of a password and an authenticator app (TOTP) code.</summary>
    public static readonly IReadOnlyList<string> PasswordAndAuthenticatorApp = [PasswordMethod, OneTimePasswordMethod, MultipleFactorsMethod];

    /// <summary>The <c>amr</c> of a password and a recovery code: a second factor, but not one a device produced.</summary>
    public static readonly IReadOnlyList<string> PasswordAndRecoveryCode = [PasswordMethod, MultipleFactorsMethod];

    /// <summary>The <c>amr</c> of a passkey (WebAuthn with user verification).</summary>
    public static readonly IReadOnlyList<string> Passkey = [FidoMethod, MultipleFactorsMethod];

    private static readonly (AuthenticationStrength Strength, string Acr)[] AcrValues =
    [
        (AuthenticationStrength.Password, "urn:tessera:acr:password"),
        (AuthenticationStrength.Mfa, "urn:tessera:acr:mfa"),
        (AuthenticationStrength.PasswordlessMfa, "urn:tessera:acr:passwordless-mfa"),
        (AuthenticationStrength.PhishingResistantMfa, "urn:tessera:acr:phishing-resistant-mfa"),
    ];

    /// <summary>Every <c>acr</c> value Tessera issues and accepts, weakest first (for discovery's <c>acr_values_supported</c>).</summary>
    public static IReadOnlyList<string> SupportedAcrValues { get; } = [.. AcrValues.Select(a => a.Acr)];

    /// <summary>The strength a sign-in with these <c>amr</c> values reached.</summary>
    public static AuthenticationStrength Of(IEnumerable<string> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        var set = methods.ToHashSet(StringComparer.Ordinal);
        return set.Contains(FidoMethod) ? AuthenticationStrength.PhishingResistantMfa
            : set.Contains(MultipleFactorsMethod) ? AuthenticationStrength.Mfa
            : set.Contains(PasswordMethod) ? AuthenticationStrength.Password
            : AuthenticationStrength.None;
    }

    /// <summary>Whether a sign-in with these <c>amr</c> values is at least <paramref name="required"/>.</summary>
    public static bool Satisfies(IEnumerable<string> methods, AuthenticationStrength required) => Of(methods) >= required;

    /// <summary>The <c>acr</c> value naming <paramref name="strength"/>; none for <see cref="AuthenticationStrength.None"/>.</summary>
    public static string? AcrOf(AuthenticationStrength strength)
        => AcrValues.FirstOrDefault(a => a.Strength == strength).Acr;

    /// <summary>The strength an <c>acr</c> value names, if it is one of Tessera's.</summary>
    public static AuthenticationStrength? FromAcr(string? acr)
        => AcrValues.FirstOrDefault(a => string.Equals(a.Acr, acr, StringComparison.Ordinal)) is { Acr: not null } found ? found.Strength : null;

    /// <summary>
    /// The strength a client asks for with <c>acr_values</c> (space-separated, in order of preference): any one of the
    /// values satisfies the client, so the weakest known one is what the session must reach. Unknown values are
    /// ignored, as OIDC Core §3.1.2.1 makes <c>acr_values</c> a voluntary request; none known asks for nothing.
    /// </summary>
    public static AuthenticationStrength Requested(IEnumerable<string> acrValues)
    {
        ArgumentNullException.ThrowIfNull(acrValues);
        var known = acrValues.Select(FromAcr).Where(s => s is not null).Select(s => s!.Value).ToList();
        return known.Count == 0 ? AuthenticationStrength.None : known.Min();
    }

    /// <summary>The sign-in log's description of the methods (Graph's <c>authenticationMethodsUsed</c>).</summary>
    public static string Describe(IEnumerable<string> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        var set = methods.ToHashSet(StringComparer.Ordinal);
        if (set.Contains(FidoMethod))
        {
            return "Passkey";
        }

        var parts = new List<string>();
        if (set.Contains(PasswordMethod))
        {
            parts.Add("Password");
        }

        if (set.Contains(OneTimePasswordMethod))
        {
            parts.Add("Authenticator app");
        }
        else if (set.Contains(MultipleFactorsMethod))
        {
            parts.Add("Recovery code");
        }

        return string.Join(", ", parts);
    }
}
