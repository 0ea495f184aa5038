using Microsoft.AspNetCore.Builder;

namespace Tessera.AspNetCore;

/// <summary>
/// Permission requirements for minimal API endpoints and groups. Each also requires an authenticated caller; several
/// on one endpoint must all be met.
/// </summary>
public static class TesseraEndpointConventionBuilderExtensions
{
    /// <summary>Requires a delegated token with one of <paramref name="scopes"/> in <c>scp</c>.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scopes">The accepted scopes, e.g. <c>Items.Read</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(policy => policy.RequireScope(scopes));

    /// <summary>Requires a token with one of <paramref name="appRoles"/> in <c>roles</c>.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="appRoles">The accepted app roles, e.g. <c>Items.Read.All</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireAppRole<TBuilder>(this TBuilder builder, params string[] appRoles)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(policy => policy.RequireAppRole(appRoles));

    /// <summary>
    /// Requires, of a delegated token, one of <paramref name="scopes"/>; of an app-only token, one of
    /// <paramref name="appRoles"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scopes">The scopes accepted from delegated tokens.</param>
    /// <param name="appRoles">The app roles accepted from app-only tokens.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireScopeOrAppRole<TBuilder>(this TBuilder builder, IEnumerable<string> scopes, IEnumerable<string> appRoles)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(policy => policy.RequireScopeOrAppRole(scopes, appRoles));

    /// <summary>
    /// Requires that the user satisfied the authentication context <paramref name="authContextId"/>; otherwise
    /// <c>401</c> with a claims challenge.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="authContextId">The authentication context id, e.g. <c>c1</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireAuthContext<TBuilder>(this TBuilder builder, string authContextId)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(policy => policy.RequireAuthContext(authContextId));
}
