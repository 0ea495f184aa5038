using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Tessera.AspNetCore.Authorization;

/// <summary>
/// Answers a request that carried a valid token without the permission an endpoint needs:
/// a missing scope or app role is <c>403</c> with RFC 6750's <c>insufficient_scope</c>; a missing authentication
/// context is <c>401</c> with Entra ID's claims challenge (<c>insufficient_claims</c>), which MSAL turns into a new
/// sign-in. No body either way. Every other outcome goes to the handler that was registered before.
/// </summary>
internal sealed class TesseraAuthorizationResultHandler(IAuthorizationMiddlewareResultHandler next) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate requestDelegate, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var failed = authorizeResult.Forbidden ? authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() : null;
        if (failed is null || context.Response.HasStarted)
        {
            return next.HandleAsync(requestDelegate, context, policy, authorizeResult);
        }

        var permissions = failed.OfType<PermissionRequirement>().ToList();
        if (permissions.Count > 0)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers.Append(HeaderNames.WWWAuthenticate, InsufficientScope(permissions.SelectMany(p => p.Scopes).Distinct(StringComparer.Ordinal)));
            return Task.CompletedTask;
        }

        if (failed.OfType<AuthContextRequirement>().FirstOrDefault() is { } authContext)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.Append(HeaderNames.WWWAuthenticate, InsufficientClaims(authContext.Id));
            return Task.CompletedTask;
        }

        return next.HandleAsync(requestDelegate, context, policy, authorizeResult);
    }

    /// <summary>RFC 6750 §3.1: <c>Bearer error="insufficient_scope", scope="a b"</c> (scope only when scopes would help).</summary>
    internal static string InsufficientScope(IEnumerable<string> scopes)
    {
        var list = string.Join(' ', scopes);
        return list.Length == 0 ? "Bearer error=\"insufficient_scope\"" : $"Bearer error=\"insufficient_scope\", scope=\"{list}\"";
    }

    /// <summary>
    /// Entra ID's claims challenge for an authentication context: the claims request
    /// <c>{"access_token":{"acrs":{"essential":true,"value":"c1"}}}</c>, encoded as <see cref="ClaimsValue"/>.
    /// </summary>
    internal static string InsufficientClaims(string authContextId)
        => $"Bearer realm=\"\", error=\"insufficient_claims\", claims=\"{ClaimsValue("{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"" + authContextId + "\"}}}")}\"";

    /// <summary>
    /// A claims request as a challenge's <c>claims</c> parameter: standard base64 with padding, as Entra ID sends it
    /// (MSAL reads it either way; code written for Entra ID often decodes it with <c>Convert.FromBase64String</c>).
    /// </summary>
    internal static string ClaimsValue(string claimsRequest) => Convert.ToBase64String(Encoding.UTF8.GetBytes(claimsRequest));
}
