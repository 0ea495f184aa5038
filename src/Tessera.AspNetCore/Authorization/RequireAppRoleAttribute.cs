using Microsoft.AspNetCore.Authorization;
using Tessera.AspNetCore.Authorization;

namespace Tessera.AspNetCore;

/// <summary>
/// On a controller, an action or a minimal API handler: requires a token with one of the app roles in <c>roles</c>.
/// Use with <c>[Authorize]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireAppRoleAttribute : Attribute, IAuthorizationRequirementData
{
    /// <summary>Requires one of <paramref name="appRoles"/>.</summary>
    /// <param name="appRoles">The accepted app roles, e.g. <c>Items.Read.All</c>.</param>
    public RequireAppRoleAttribute(params string[] appRoles) => AppRoles = [.. appRoles ?? []];

    /// <summary>The accepted app roles.</summary>
    public IReadOnlyList<string> AppRoles { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [PermissionRequirement.AnyAppRole(AppRoles)];
}
