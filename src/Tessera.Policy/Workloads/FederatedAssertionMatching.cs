using Tessera.Policy.Errors;

namespace Tessera.Policy.Workloads;

/// <summary>A federated identity credential as the token endpoint matches it.</summary>
public sealed record TrustedIssuerSubject(string Name, string Issuer, string Subject, IReadOnlyList<string> Audiences);

/// <summary>
/// Which federated identity credential an external token matches (Entra ID's rules): issuer exact, subject exact,
/// and one of the token's audiences among the credential's. Nothing is matched by prefix, case or pattern.
/// </summary>
public static class FederatedAssertionMatching
{
    /// <summary>The credentials that trust <paramref name="issuer"/>: only those issuers' keys are ever fetched.</summary>
    public static IReadOnlyList<TrustedIssuerSubject> ForIssuer(IEnumerable<TrustedIssuerSubject> credentials, string issuer)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return [.. credentials.Where(c => string.Equals(c.Issuer, issuer, StringComparison.Ordinal))];
    }

    /// <summary>
    /// The credential a verified token matches, else the error naming the check that failed. <paramref name="ofIssuer"/>
    /// are the credentials <see cref="ForIssuer"/> returned for the token's issuer (empty: the issuer is unknown).
    /// </summary>
    public static (TrustedIssuerSubject? Credential, TesseraError? Error) Match(
        IReadOnlyList<TrustedIssuerSubject> ofIssuer, string issuer, string subject, IReadOnlyCollection<string> audiences)
    {
        ArgumentNullException.ThrowIfNull(ofIssuer);
        ArgumentNullException.ThrowIfNull(audiences);
        if (ofIssuer.Count == 0)
        {
            return (null, WorkloadErrors.FederatedIssuerUnknown.With(issuer));
        }

        var credential = ofIssuer.FirstOrDefault(c => string.Equals(c.Subject, subject, StringComparison.Ordinal));
        if (credential is null)
        {
            return (null, WorkloadErrors.FederatedSubjectMismatch.With(issuer, subject));
        }

        return credential.Audiences.Any(a => audiences.Contains(a, StringComparer.Ordinal))
            ? (credential, null)
            : (null, WorkloadErrors.FederatedAudienceMismatch.With(Quote(audiences), Quote(credential.Audiences)));
    }

    private static string Quote(IEnumerable<string> values)
    {
        var list = values.Select(v => v.Length <= 200 ? v : v[..200] + "…").Select(v => $"'{v}'").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
