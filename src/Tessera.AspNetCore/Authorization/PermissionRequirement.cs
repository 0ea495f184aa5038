using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Tessera.AspNetCore.Authorization;

/// <summary>
/// A permission the token must carry: one of some delegated scopes (<c>scp</c>), one of some app roles (<c>roles</c>),
/// or either, by the kind of token (delegated: the scopes; app-only: the roles). It handles itself, so a policy built
/// with it works without registering anything.
/// </summary>
internal sealed class PermissionRequirement : IAuthorizationRequirement, IAuthorizationHandler
{
    private PermissionRequirement(IReadOnlyList<string> scopes, IReadOnlyList<string> appRoles, bool byTokenKind)
    {
        Scopes = scopes;
        AppRoles = appRoles;
        ByTokenKind = byTokenKind;
    }

    public IReadOnlyList<string> Scopes { get; }

    public IReadOnlyList<string> AppRoles { get; }

    private bool ByTokenKind { get; }

    public static PermissionRequirement AnyScope(IEnumerable<string> scopes)
        => new(Names(scopes, nameof(scopes), scopeSyntax: true, required: true), [], byTokenKind: false);

    public static PermissionRequirement AnyAppRole(IEnumerable<string> appRoles)
        => new([], Names(appRoles, nameof(appRoles), scopeSyntax: false, required: true), byTokenKind: false);

    public static PermissionRequirement ScopeOrAppRole(IEnumerable<string> scopes, IEnumerable<string> appRoles)
    {
        var scopeList = Names(scopes, nameof(scopes), scopeSyntax: true, required: false);
        var roleList = Names(appRoles, nameof(appRoles), scopeSyntax: false, required: false);
        if (scopeList.Count == 0 && roleList.Count == 0)
        {
            throw new ArgumentException("Name at least one scope or app role.", nameof(scopes));
        }

        return new(scopeList, roleList, byTokenKind: true);
    }

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsGranted(context.User))
        {
            context.Succeed(this);
        }

        return Task.CompletedTask;
    }

    private bool IsGranted(ClaimsPrincipal user)
    {
        var claims = TokenClaims.Of(user);
        if (!claims.IsAuthenticated)
        {
            return false;
        }

        if (ByTokenKind)
        {
            return claims.IsAppOnly ? claims.HasAnyRole(AppRoles) : claims.HasAnyScope(Scopes);
        }

        return Scopes.Count > 0 ? claims.HasAnyScope(Scopes) : claims.HasAnyRole(AppRoles);
    }

    private static List<string> Names(IEnumerable<string> values, string parameter, bool scopeSyntax, bool required)
    {
        ArgumentNullException.ThrowIfNull(values, parameter);
        var names = values.ToList();
        if (required && names.Count == 0)
        {
            throw new ArgumentException("Name at least one.", parameter);
        }

        foreach (var name in names)
        {
            // RFC 6749 §3.3 scope-token: it goes into a WWW-Authenticate header as it is.
            if (string.IsNullOrEmpty(name) || (scopeSyntax && !name.All(c => c is '!' or (>= '#' and <= '[') or (>= ']' and <= '~'))))
            {
                throw new ArgumentException($"'{name}' is not a valid {(scopeSyntax ? "scope" : "app role")} name.", parameter);
            }
        }

        return names;
    }
}
