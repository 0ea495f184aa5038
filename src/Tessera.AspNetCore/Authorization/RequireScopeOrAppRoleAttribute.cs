using Microsoft.AspNetCore.Authorization;
using Tessera.AspNetCore.Authorization;

namespace Tessera.AspNetCore;

/// <summary>
/// On a controller, an action or a minimal API handler: requires, of a delegated token, one of the scopes; of an
/// app-only token, one of the app roles. Use with <c>[Authorize]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeOrAppRoleAttribute : Attribute, IAuthorizationRequirementData
{
    /// <summary>Requires one of <paramref name="scopes"/> or one of <paramref name="appRoles"/>, by the kind of token.</summary>
    /// <param name="scopes">The scopes accepted from delegated tokens.</param>
    /// <param name="appRoles">The app roles accepted from app-only tokens.</param>
    public RequireScopeOrAppRoleAttribute(string[] scopes, string[] appRoles)
    {
        Scopes = [.. scopes ?? []];
        AppRoles = [.. appRoles ?? []];
    }

    /// <summary>The scopes accepted from delegated tokens.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The app roles accepted from app-only tokens.</summary>
    public IReadOnlyList<string> AppRoles { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [PermissionRequirement.ScopeOrAppRole(Scopes, AppRoles)];
}
