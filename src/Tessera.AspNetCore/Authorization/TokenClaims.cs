using System.Security.Claims;

namespace Tessera.AspNetCore.Authorization;

/// <summary>
/// The permission claims of the authenticated identities of a request, as Tessera (and Entra ID) write them. Read on
/// every authorized request, so it walks the claims in place and allocates nothing.
/// </summary>
internal readonly struct TokenClaims
{
    private readonly ClaimsPrincipal? _user;

    private TokenClaims(ClaimsPrincipal? user) => _user = user;

    public static TokenClaims Of(ClaimsPrincipal? user) => new(user);

    public bool IsAuthenticated => _user is not null && _user.Identities.Any(i => i.IsAuthenticated);

    /// <summary>App-only: <c>idtyp</c> says so, or there is no delegated scope at all.</summary>
    public bool IsAppOnly => Any("idtyp", "app", static (value, app) => string.Equals(value, app, StringComparison.Ordinal))
        || !Any("scp", string.Empty, static (_, _) => true);

    public bool HasAnyScope(IReadOnlyList<string> scopes) => Any("scp", scopes, static (value, scopes) =>
    {
        // scp is one space-separated claim value.
        foreach (var range in value.AsSpan().Split(' '))
        {
            var scope = value.AsSpan(range);
            if (!scope.IsEmpty && Contains(scopes, scope))
            {
                return true;
            }
        }

        return false;
    });

    public bool HasAnyRole(IReadOnlyList<string> roles) => Any("roles", roles, static (value, roles) => Contains(roles, value));

    public bool HasAuthContext(string id) => Any("acrs", id, static (value, id) => string.Equals(value, id, StringComparison.Ordinal));

    /// <summary>Whether a claim of <paramref name="type"/> (matched as <see cref="ClaimsIdentity.FindAll(string)"/> does) of an authenticated identity matches.</summary>
    private bool Any<TState>(string type, TState state, Func<string, TState, bool> matches)
    {
        if (_user is null)
        {
            return false;
        }

        foreach (var identity in _user.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            foreach (var claim in identity.Claims)
            {
                if (string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase) && matches(claim.Value, state))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<string> names, ReadOnlySpan<char> value)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (value.SequenceEqual(names[i]))
            {
                return true;
            }
        }

        return false;
    }
}
