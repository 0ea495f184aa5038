using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;

namespace Tessera.Policy.Delegation;

/// <summary>
/// The two ways an API exchanges the user's access token it received for a token to a downstream API: Entra ID's
/// on-behalf-of (<c>jwt-bearer</c> with <c>requested_token_use=on_behalf_of</c>, the token in <c>assertion</c>) and
/// RFC 8693 token exchange (the token in <c>subject_token</c>). Both follow the same rules.
/// </summary>
public enum DelegationGrant
{
    OnBehalfOf,
    TokenExchange,
}

/// <summary>What a delegated token carries: the scopes of the principal (and of the response), and <c>scp</c>.</summary>
/// <param name="Scopes">Full scope strings: the granted OpenID Connect scopes, then the API's scopes as requested.</param>
/// <param name="ApiScopes">The API's scope values for <c>scp</c>: requested (all, for <c>/.default</c>) and granted.</param>
public sealed record DelegatedScopes(IReadOnlyList<string> Scopes, IReadOnlyList<string> ApiScopes)
{
    /// <summary>Nothing of the API is granted: the caller needs consent first.</summary>
    public bool NothingGranted => ApiScopes.Count == 0;
}

/// <summary>A token exchange's target as scopes, or why the request names none or several.</summary>
public sealed record ExchangeTargetResult(IReadOnlyList<string>? Scopes, TesseraError? Error);

/// <summary>The rules of delegation, apart from the directory: who may present which token, and what the new one carries.</summary>
public static class DelegationRules
{
    /// <summary>The parameter that carries the user's token in <paramref name="grant"/>, as error sentences name it.</summary>
    public static string ParameterOf(DelegationGrant grant) => grant == DelegationGrant.OnBehalfOf ? "assertion" : "subject_token";

    /// <summary>
    /// The user's token must have been issued to the API that presents it (its <c>aud</c>, as Entra ID requires: an API
    /// exchanges only what was meant for it, never a token it merely saw), and must stand for a user.
    /// </summary>
    /// <param name="audiences">The token's <c>aud</c>.</param>
    /// <param name="identityType">The token's <c>idtyp</c>: <c>user</c> or <c>app</c>.</param>
    /// <param name="callerClientId">The authenticated client presenting the token.</param>
    public static TesseraError? CheckUserToken(
        DelegationGrant grant, IReadOnlyCollection<string> audiences, string? identityType, string callerClientId)
    {
        ArgumentNullException.ThrowIfNull(audiences);
        ArgumentNullException.ThrowIfNull(callerClientId);
        var parameter = ParameterOf(grant);
        if (!audiences.Contains(callerClientId, StringComparer.OrdinalIgnoreCase))
        {
            return TesseraErrors.UserTokenForAnotherClient.With(parameter, audiences.Count == 0 ? "nobody" : string.Join(", ", audiences), callerClientId);
        }

        // Tessera's user tokens say idtyp=user; anything else (app-only tokens say app) names no user to act for.
        return string.Equals(identityType, "user", StringComparison.Ordinal) ? null : TesseraErrors.UserTokenAppOnly.With(parameter);
    }

    /// <summary>
    /// A token exchange names its target by <c>scope</c> (Entra style: <c>api://orders/Orders.Read</c>,
    /// <c>api://orders/.default</c>), by <c>resource</c> (RFC 8707) or <c>audience</c> (RFC 8693), each an API's identifier
    /// URI or app id. A resource or audience alone means all that is granted on it (<c>/.default</c>); beside scopes it
    /// must name the same API.
    /// </summary>
    public static ExchangeTargetResult ResolveExchangeTarget(
        IReadOnlyList<string> scopes, IReadOnlyList<string> resources, IReadOnlyList<string> audiences)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(audiences);
        var targets = resources.Concat(audiences).Select(t => t.TrimEnd('/')).Distinct(StringComparer.Ordinal).ToList();
        if (targets.Count > 1)
        {
            return new ExchangeTargetResult(null, TesseraErrors.ExchangeTargetConflict.With(string.Join(", ", targets)));
        }

        if (targets.Count == 0)
        {
            return new ExchangeTargetResult(scopes, null);
        }

        var target = targets[0];
        var named = ScopeRequest.Parse(scopes);
        if (named.Request?.Resource is { } resource && !string.Equals(resource, target, StringComparison.Ordinal))
        {
            return new ExchangeTargetResult(null, TesseraErrors.ExchangeTargetConflict.With($"{target}, {resource}"));
        }

        return named.Request?.Resource is null
            ? new ExchangeTargetResult([.. scopes, $"{target}/{ScopeRequest.DefaultScope}"], null)
            : new ExchangeTargetResult(scopes, null);
    }

    /// <summary>
    /// What the delegated token carries: of the API, what was asked for and is granted to the calling API for this
    /// user (all that is granted for <c>/.default</c>); on-behalf-of also keeps the granted OpenID Connect scopes, so
    /// that <c>offline_access</c> brings a refresh token, as in Entra ID. A token exchange issues the access token alone.
    /// </summary>
    /// <param name="grantedApiScopes">The API's scope values granted and asked for (see <c>ConsentService</c>).</param>
    /// <param name="grantedOpenIdScopes">The OpenID Connect scopes asked for and granted to the calling API.</param>
    public static DelegatedScopes Decide(
        DelegationGrant grant, ScopeRequest requested, IReadOnlyCollection<string> grantedApiScopes, IReadOnlyCollection<string> grantedOpenIdScopes)
    {
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(grantedApiScopes);
        ArgumentNullException.ThrowIfNull(grantedOpenIdScopes);
        var api = requested.IsDefault
            ? grantedApiScopes.Distinct(StringComparer.Ordinal).ToList()
            : requested.ResourceScopes.Where(s => grantedApiScopes.Contains(s, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        if (api.Count == 0 || requested.Resource is not { } resource)
        {
            return new DelegatedScopes([], []);
        }

        var openId = grant == DelegationGrant.OnBehalfOf
            ? requested.OpenIdScopes.Where(s => grantedOpenIdScopes.Contains(s, StringComparer.Ordinal)).ToList()
            : [];
        var named = requested.IsDefault ? [$"{resource}/{ScopeRequest.DefaultScope}"] : api.Select(s => $"{resource}/{s}");
        return new DelegatedScopes([.. openId, .. named], api);
    }
}
