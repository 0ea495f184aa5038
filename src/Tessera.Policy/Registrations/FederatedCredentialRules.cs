using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>A federated identity credential as a caller asks for it (a new one, or one as it would be after a change).</summary>
public sealed record FederatedCredentialRequest(string? Name, string? Issuer, string? Subject, IReadOnlyList<string>? Audiences, string? Description);

/// <summary>A federated identity credential the application already has: what uniqueness is decided against.</summary>
public sealed record ExistingFederatedCredential(Guid Id, string Name, string Issuer, string Subject);

/// <summary>
/// The rules of federated identity credentials (Entra ID's, kept as they are so that its guidance applies): whoever
/// controls a matching external token acts as the application, so each credential names exactly one issuer, subject
/// and audience, and an application trusts few of them. Each method returns null when the value is acceptable, else
/// the error naming the field and the rule.
/// </summary>
public static class FederatedCredentialRules
{
    /// <summary>The audience external tokens carry when the caller names none (Entra ID's default).</summary>
    public const string DefaultAudience = "api://AzureADTokenExchange";

    public const int MostPerApplication = 20;
    public const int ShortestName = 3;
    public const int LongestName = 120;
    public const int LongestValue = 600;

    /// <summary>The audiences a new credential gets: those asked for, else <see cref="DefaultAudience"/>.</summary>
    public static IReadOnlyList<string> AudiencesOrDefault(IReadOnlyList<string>? requested) => requested ?? [DefaultAudience];

    /// <summary>A new credential of an application that already has <paramref name="existing"/>.</summary>
    public static TesseraError? Create(FederatedCredentialRequest request, IReadOnlyCollection<ExistingFederatedCredential> existing)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(existing);
        var invalid = Name(request.Name) ?? Values(request with { Audiences = AudiencesOrDefault(request.Audiences) });
        if (invalid is not null)
        {
            return invalid;
        }

        if (existing.Count >= MostPerApplication)
        {
            return RegistrationErrors.FederatedCredentialLimit.With(existing.Count);
        }

        var sameName = existing.FirstOrDefault(e => string.Equals(e.Name, request.Name, StringComparison.OrdinalIgnoreCase));
        return sameName is not null
            ? RegistrationErrors.FederatedNameTaken.With(sameName.Name)
            : SamePair(request, existing, Guid.Empty);
    }

    /// <summary>
    /// A change to <paramref name="current"/>: <paramref name="after"/> is the credential as it would be (its
    /// <see cref="FederatedCredentialRequest.Name"/> null when the change does not name it).
    /// </summary>
    public static TesseraError? Change(
        ExistingFederatedCredential current, FederatedCredentialRequest after, IReadOnlyCollection<ExistingFederatedCredential> existing)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(existing);
        if (after.Name is not null && !string.Equals(after.Name, current.Name, StringComparison.Ordinal))
        {
            return RegistrationErrors.FederatedNameImmutable.With(current.Name);
        }

        return Values(after) ?? SamePair(after, existing, current.Id);
    }

    /// <summary>3 to 120 ASCII letters, digits, '-' and '_'.</summary>
    public static TesseraError? Name(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return RegistrationErrors.FederatedNameRequired;
        }

        if (value.Length is < ShortestName or > LongestName)
        {
            return RegistrationErrors.FederatedNameLength.With(Shorten(value), value.Length);
        }

        return value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null : RegistrationErrors.FederatedNameCharacters.With(value);
    }

    /// <summary>An absolute https URL (http only for loopback) without query or fragment, at most 600 characters.</summary>
    public static TesseraError? Issuer(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return RegistrationErrors.FederatedIssuerRequired;
        }

        if (value.Length > LongestValue)
        {
            return RegistrationErrors.FederatedValueTooLong.With("issuer", value.Length, LongestValue);
        }

        // "/path" parses as an absolute file URI on Unix: insist on a written scheme before any slash.
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (colon <= 0 || (slash >= 0 && slash < colon) || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
        {
            return RegistrationErrors.FederatedIssuerNotAbsolute.With(value);
        }

        if (!(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && RegistrationRules.IsLoopback(uri))))
        {
            return RegistrationErrors.FederatedIssuerNotHttps.With(value);
        }

        return value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal)
            ? RegistrationErrors.FederatedIssuerQueryOrFragment.With(value)
            : null;
    }

    /// <summary>Any text, at most 600 characters: the external tokens' <c>sub</c>, matched exactly.</summary>
    public static TesseraError? Subject(string? value)
        => string.IsNullOrWhiteSpace(value) ? RegistrationErrors.FederatedSubjectRequired
            : value.Length > LongestValue ? RegistrationErrors.FederatedValueTooLong.With("subject", value.Length, LongestValue)
            : null;

    /// <summary>Exactly one non-empty audience of at most 600 characters.</summary>
    public static TesseraError? Audiences(IReadOnlyList<string>? values)
    {
        if (values is not { Count: 1 } || string.IsNullOrWhiteSpace(values[0]))
        {
            return RegistrationErrors.FederatedAudiencesNotOne;
        }

        return values[0].Length > LongestValue ? RegistrationErrors.FederatedValueTooLong.With("audiences", values[0].Length, LongestValue) : null;
    }

    /// <summary>Optional; at most 600 characters.</summary>
    public static TesseraError? Description(string? value)
        => value is { Length: > LongestValue } ? RegistrationErrors.FederatedValueTooLong.With("description", value.Length, LongestValue) : null;

    private static TesseraError? Values(FederatedCredentialRequest request)
        => Issuer(request.Issuer) ?? Subject(request.Subject) ?? Audiences(request.Audiences) ?? Description(request.Description);

    private static TesseraError? SamePair(FederatedCredentialRequest request, IEnumerable<ExistingFederatedCredential> existing, Guid self)
    {
        var same = existing.FirstOrDefault(e => e.Id != self &&
                                                string.Equals(e.Issuer, request.Issuer, StringComparison.Ordinal) &&
                                                string.Equals(e.Subject, request.Subject, StringComparison.Ordinal));
        return same is null ? null : RegistrationErrors.FederatedIssuerSubjectTaken.With(same.Name, same.Issuer, same.Subject);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
