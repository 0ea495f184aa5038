using OpenIddict.Abstractions;
using Tessera.Policy.Delegation;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// Recognises the token requests in which an API exchanges the user's access token it received for a token to a
/// downstream API: on-behalf-of (a <c>jwt-bearer</c> grant, a custom grant to OpenIddict) and RFC 8693 token exchange
/// (OpenIddict's own). The rules they share are <see cref="DelegationRules"/>.
/// </summary>
public static class Delegation
{
    /// <summary>RFC 7523's grant type, which Entra ID uses for on-behalf-of.</summary>
    public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>Entra ID's parameter that marks a <c>jwt-bearer</c> request as on-behalf-of.</summary>
    public const string RequestedTokenUseParameter = "requested_token_use";
    public const string OnBehalfOfTokenUse = "on_behalf_of";

    /// <summary>Which delegation <paramref name="request"/> is, or null for every other grant.</summary>
    public static DelegationGrant? GrantOf(OpenIddictRequest? request)
        => request is null ? null
            : string.Equals(request.GrantType, JwtBearerGrantType, StringComparison.Ordinal) ? DelegationGrant.OnBehalfOf
            : request.IsTokenExchangeGrantType() ? DelegationGrant.TokenExchange
            : null;

    /// <summary>The user's token as the request carries it.</summary>
    public static string? UserTokenOf(OpenIddictRequest request, DelegationGrant grant)
    {
        ArgumentNullException.ThrowIfNull(request);
        return grant == DelegationGrant.OnBehalfOf ? request.Assertion : request.SubjectToken;
    }
}
