using Microsoft.AspNetCore.Authorization;
using Tessera.AspNetCore.Authorization;

namespace Tessera.AspNetCore;

/// <summary>
/// On a controller, an action or a minimal API handler: requires that the user satisfied an authentication context
/// (its id in <c>acrs</c>); otherwise <c>401</c> with a claims challenge. Use with <c>[Authorize]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireAuthContextAttribute : Attribute, IAuthorizationRequirementData
{
    /// <summary>Requires the authentication context <paramref name="authContextId"/>.</summary>
    /// <param name="authContextId">The authentication context id, e.g. <c>c1</c>.</param>
    public RequireAuthContextAttribute(string authContextId) => AuthContextId = authContextId;

    /// <summary>The authentication context id.</summary>
    public string AuthContextId { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new AuthContextRequirement(AuthContextId)];
}
