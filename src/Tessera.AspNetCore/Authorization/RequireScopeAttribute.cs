using Microsoft.AspNetCore.Authorization;
using Tessera.AspNetCore.Authorization;

namespace Tessera.AspNetCore;

/// <summary>
/// On a controller, an action or a minimal API handler: requires a delegated token with one of the scopes in
/// <c>scp</c>. Use with <c>[Authorize]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute : Attribute, IAuthorizationRequirementData
{
    /// <summary>Requires one of <paramref name="scopes"/>.</summary>
    /// <param name="scopes">The accepted scopes, e.g. <c>Items.Read</c>.</param>
    public RequireScopeAttribute(params string[] scopes) => Scopes = [.. scopes ?? []];

    /// <summary>The accepted scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [PermissionRequirement.AnyScope(Scopes)];
}
