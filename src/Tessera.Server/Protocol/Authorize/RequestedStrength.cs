using OpenIddict.Abstractions;
using Tessera.Policy.Authentication;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>
/// The authentication strength an authorization request asks for: <c>acr_values</c>, and the <c>acr</c> member of
/// the <c>claims</c> parameter (OIDC Core §5.5.1.1: <c>{"id_token":{"acr":{"essential":true,"values":[...]}}}</c>).
/// Values Tessera does not know ask for nothing; a <c>claims</c> parameter that is not JSON is ignored here
/// (it asks for no strength), as claims requests are voluntary.
/// </summary>
public static class RequestedStrength
{
    /// <summary>
    /// The return URL's parameter that carries the strength Conditional Access asks for (an <c>acr</c> value), so that
    /// the sign-in pages ask for it as they do for <c>acr_values</c>. Only the pages read it; the authorization
    /// endpoint evaluates the policies again whatever it says.
    /// </summary>
    public const string ConditionalAccessMarker = "tsr_ca_acr";

    public static AuthenticationStrength Of(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fromAcrValues = AuthenticationStrengths.Requested(request.GetAcrValues());
        var fromClaims = AuthenticationStrengths.Requested(ClaimsRequest.Values(request.GetParameter(OpenIddictConstants.Parameters.Claims), "acr", "id_token", "userinfo"));
        return fromAcrValues > fromClaims ? fromAcrValues : fromClaims;
    }

    /// <summary>The strength asked for by the authorization request a sign-in page's return URL resumes, if any.</summary>
    public static AuthenticationStrength OfReturnUrl(string? returnUrl)
    {
        var start = returnUrl?.IndexOf('?', StringComparison.Ordinal) ?? -1;
        if (start < 0)
        {
            return AuthenticationStrength.None;
        }

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(returnUrl![start..]);
        var request = new OpenIddictRequest();
        foreach (var name in new[] { OpenIddictConstants.Parameters.AcrValues, OpenIddictConstants.Parameters.Claims })
        {
            if (query.TryGetValue(name, out var value))
            {
                request.SetParameter(name, value.ToString());
            }
        }

        var fromRequest = Of(request);
        var fromPolicies = query.TryGetValue(ConditionalAccessMarker, out var marker)
            ? AuthenticationStrengths.FromAcr(marker.ToString()) ?? AuthenticationStrength.None
            : AuthenticationStrength.None;
        return fromPolicies > fromRequest ? fromPolicies : fromRequest;
    }

    /// <summary>A sentence naming <paramref name="strength"/> for a person.</summary>
    public static string Describe(AuthenticationStrength strength) => strength switch
    {
        AuthenticationStrength.PhishingResistantMfa => "a phishing-resistant sign-in (a passkey)",
        AuthenticationStrength.PasswordlessMfa => "a passwordless sign-in (a passkey)",
        AuthenticationStrength.Mfa => "multi-factor authentication (a passkey, or your password and an authenticator app)",
        _ => "a sign-in",
    };
}
