using Microsoft.AspNetCore.Authorization;
using Tessera.AspNetCore.Authorization;

namespace Tessera.AspNetCore;

/// <summary>
/// Permission requirements for authorization policies (controllers, named policies). A request whose token lacks the
/// permission gets <c>403</c> with <c>WWW-Authenticate: Bearer error="insufficient_scope"</c>.
/// </summary>
public static class TesseraAuthorizationPolicyBuilderExtensions
{
    /// <summary>Requires a delegated token with one of <paramref name="scopes"/> in <c>scp</c>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The accepted scopes, e.g. <c>Items.Read</c>.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(PermissionRequirement.AnyScope(scopes));
    }

    /// <summary>Requires a token with one of <paramref name="appRoles"/> in <c>roles</c>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="appRoles">The accepted app roles, e.g. <c>Items.Read.All</c>.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireAppRole(this AuthorizationPolicyBuilder builder, params string[] appRoles)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(PermissionRequirement.AnyAppRole(appRoles));
    }

    /// <summary>
    /// Requires, of a delegated token, one of <paramref name="scopes"/>; of an app-only token (<c>idtyp</c> <c>app</c>,
    /// or no <c>scp</c>), one of <paramref name="appRoles"/>.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes accepted from delegated tokens.</param>
    /// <param name="appRoles">The app roles accepted from app-only tokens.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireScopeOrAppRole(this AuthorizationPolicyBuilder builder, IEnumerable<string> scopes, IEnumerable<string> appRoles)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(PermissionRequirement.ScopeOrAppRole(scopes, appRoles));
    }

    /// <summary>
    /// Requires that the user satisfied the authentication context <paramref name="authContextId"/> (its id in
    /// <c>acrs</c>). Otherwise the API answers <c>401</c> with a claims challenge
    /// (<c>error="insufficient_claims"</c>) asking for it.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="authContextId">The authentication context id, e.g. <c>c1</c>.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireAuthContext(this AuthorizationPolicyBuilder builder, string authContextId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new AuthContextRequirement(authContextId));
    }
}
