using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;

namespace Tessera.Policy.Registrations;

/// <summary>
/// The rules a delegated permission grant (Graph's <c>oAuth2PermissionGrant</c>) keeps when an administrator writes it:
/// who it is for (<c>consentType</c> and <c>principalId</c> agree), and what it grants (<c>scope</c>: each value a
/// delegated permission the API offers now). A grant decides what user tokens carry, so nothing unknown gets in.
/// </summary>
public static class PermissionGrantRules
{
    public const string AllPrincipals = "AllPrincipals";
    public const string Principal = "Principal";

    /// <summary>More than an API offers in practice; keeps one grant a readable line.</summary>
    public const int MostScopes = 100;

    public const int LongestScope = 4000;

    /// <summary>
    /// The scope values of <paramref name="scope"/> (space-separated, each once, in the order given), or the error that
    /// names the first one <paramref name="resourceName"/> does not offer. <paramref name="offered"/> are the API's
    /// enabled delegated permissions; on the sign-in resource (<paramref name="isSignInResource"/>, the admin API) the
    /// OpenID Connect scopes are granted too.
    /// </summary>
    public static GrantScopes Scopes(string? scope, IReadOnlyCollection<string> offered, bool isSignInResource, string resourceName, Guid resourceId)
    {
        ArgumentNullException.ThrowIfNull(offered);
        if (string.IsNullOrWhiteSpace(scope))
        {
            return new GrantScopes([], RegistrationErrors.GrantScopeRequired);
        }

        var values = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (values.Count > MostScopes || scope.Length > LongestScope)
        {
            return new GrantScopes([], RegistrationErrors.GrantScopeTooLong.With(MostScopes, LongestScope, values.Count, scope.Length));
        }

        var unknown = FirstNotOffered(values, offered, isSignInResource);
        return unknown is null
            ? new GrantScopes(values, null)
            : new GrantScopes([], RegistrationErrors.GrantScopeNotExposed.With(unknown, resourceName, resourceId));
    }

    /// <summary>The first of <paramref name="values"/> the API does not offer now (null: it offers them all).</summary>
    public static string? FirstNotOffered(IEnumerable<string> values, IReadOnlyCollection<string> offered, bool isSignInResource)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(offered);
        return values.FirstOrDefault(value =>
            !offered.Contains(value, StringComparer.Ordinal) && !(isSignInResource && ScopeRequest.OpenIdConnectScopes.Contains(value)));
    }

    /// <summary>
    /// The consent type as stored (<see cref="AllPrincipals"/> or <see cref="Principal"/>, named in any case), checked
    /// against whether a <c>principalId</c> was sent: one is required for a user's grant and refused for everyone's.
    /// </summary>
    public static (string? ConsentType, TesseraError? Error) ConsentType(string? consentType, bool principalSent)
    {
        var stored = new[] { AllPrincipals, Principal }.FirstOrDefault(t => string.Equals(t, consentType?.Trim(), StringComparison.OrdinalIgnoreCase));
        return stored switch
        {
            null => (null, RegistrationErrors.GrantConsentTypeUnknown.With(consentType ?? "(none)")),
            Principal when !principalSent => (null, RegistrationErrors.GrantPrincipalRequired),
            AllPrincipals when principalSent => (null, RegistrationErrors.GrantPrincipalNotAllowed),
            _ => (stored, null),
        };
    }

    /// <summary>
    /// On the admin API, the first of <paramref name="scopes"/> that is an admin permission <paramref name="held"/> does
    /// not grant (null: none), so that granting delegated permissions never lifts a caller above what it holds.
    /// OpenID Connect scopes are not admin permissions.
    /// </summary>
    public static string? FirstAdminPermissionNotHeld(IEnumerable<string> scopes, IEnumerable<string> held)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var holding = held?.ToList() ?? throw new ArgumentNullException(nameof(held));
        return scopes.FirstOrDefault(scope => AdminPermissions.All.Contains(scope, StringComparer.Ordinal) && !AdminPermissions.Grants(holding, scope));
    }

    /// <summary>What a change of scope from <paramref name="before"/> to <paramref name="after"/> adds and removes.</summary>
    public static IReadOnlyList<string> Changed(IEnumerable<string> before, IEnumerable<string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = before.ToHashSet(StringComparer.Ordinal);
        var now = after.ToHashSet(StringComparer.Ordinal);
        return [.. now.Except(old), .. old.Except(now)];
    }
}

/// <summary>The scope values of a grant, or why they were refused.</summary>
public sealed record GrantScopes(IReadOnlyList<string> Values, TesseraError? Error);
