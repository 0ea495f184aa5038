using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using ClientApps = Tessera.Policy.ConditionalAccess.ClientApps;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;
using Tessera.Policy.Errors;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Clients;
using Tessera.Server.ConditionalAccess;
using Tessera.Server.Consent;
using Tessera.Server.Protocol.Tokens;
using Tessera.Server.Sessions;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tenancy;
using static OpenIddict.Abstractions.OpenIddictConstants;
using AccessOutcome = Tessera.Policy.ConditionalAccess.AccessOutcome;
using ConditionalAccessDecision = Tessera.Policy.ConditionalAccess.ConditionalAccessDecision;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>
/// The authorization endpoint after OpenIddict has validated the protocol (client, redirect URI, PKCE):
/// sign the user in if needed (<c>prompt</c>, <c>max_age</c>), apply the tenant's Conditional Access policies, ask for
/// consent if needed, then issue the code.
/// Each step is one small check; a step that cannot pass returns the OAuth error to the client.
/// </summary>
public static class AuthorizeEndpoint
{
    public const string Path = "/oauth2/v2.0/authorize";

    public static IEndpointRouteBuilder MapAuthorizeEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext http,
        UserManager<DirectoryUser> users,
        ConsentService consents,
        ClientDirectory clients,
        ConditionalAccessGate conditionalAccess,
        SignInLog signIns,
        TimeProvider time)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not run for this request.");
        var tenant = http.RequireTenant();

        var client = await clients.FindInAsync(request.ClientId!, tenant.Id, http.RequestAborted);
        if (client is null)
        {
            return ProtocolResults.Reject(TesseraErrors.ClientNotInTenant);
        }

        var prompts = request.GetPromptValues();
        var unsupported = prompts.FirstOrDefault(p => p is not (PromptValues.None or PromptValues.Login or PromptValues.Consent or PromptValues.SelectAccount));
        if (unsupported is not null)
        {
            return ProtocolResults.Reject(TesseraErrors.InvalidPrompt.With(unsupported));
        }

        // 1. Who is the user? (prompt=login and max_age demand a fresh sign-in.)
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal!) : null;
        var authenticatedAt = session.Properties?.IssuedUtc ?? DateTimeOffset.MinValue;

        // An API's claims challenge after a CAE event asks for a sign-in no older than the event (access_token.nbf).
        var notBefore = NotBeforeRequest.Check(ClaimsRequest.AccessTokenNotBefore(request), authenticatedAt, time.GetUtcNow());
        if (notBefore == NotBeforeOutcome.Invalid)
        {
            return ProtocolResults.Reject(SharedSignalsErrors.NotBeforeInvalid);
        }

        var fresh = !prompts.Contains(PromptValues.Login) && !prompts.Contains(PromptValues.SelectAccount) &&
                    (request.MaxAge is null || time.GetUtcNow() - authenticatedAt <= TimeSpan.FromSeconds(request.MaxAge.Value)) &&
                    notBefore == NotBeforeOutcome.Satisfied;

        // id_token_hint names the user the client expects; a session of someone else does not count (OIDC Core §3.1.2.1),
        // and a hint that is not one of our ID tokens is refused rather than ignored.
        var (hintSent, hinted) = await HintedSubjectAsync(http, request);
        if (hintSent && hinted is null)
        {
            return ProtocolResults.Reject(TesseraErrors.IdTokenHintInvalid);
        }

        var sameUser = hinted is null || string.Equals(hinted, user?.Id.ToString("D"), StringComparison.Ordinal);

        // acr_values (or an acr claims request) ask for a strength: a weaker session signs in again, more strongly.
        var strongEnough = session.Succeeded && AuthenticationStrengths.Satisfies(AuthenticationMethods(session.Principal!), RequestedStrength.Of(request));

        if (user is null || !user.AccountEnabled || user.TenantId != tenant.Id || !fresh || !sameUser || !strongEnough)
        {
            if (prompts.Contains(PromptValues.None))
            {
                return ProtocolResults.Reject(TesseraErrors.LoginRequired);
            }

            var returnUrl = ReturnUrl(http, request, without: [PromptValues.Login, PromptValues.SelectAccount]);
            var signIn = QueryHelpers.AddQueryString($"{http.Request.PathBase}/account/signin", "returnUrl", returnUrl);
            return Results.Redirect(string.IsNullOrEmpty(request.LoginHint) ? signIn : QueryHelpers.AddQueryString(signIn, "loginHint", request.LoginHint));
        }

        // 2. Has the user granted what the client asks?
        var decision = await consents.EvaluateAsync(tenant.Id, user, request, http.RequestAborted);
        if (decision.Error is not null)
        {
            return ProtocolResults.Reject(decision.Error);
        }

        // 3. Do the tenant's Conditional Access policies let this sign-in through? (Before consent: a blocked user is
        // not asked to grant anything.)
        var methods = AuthenticationMethods(session.Principal!).ToList();
        var access = await conditionalAccess.ForUserAsync(
            tenant.Id, user.Id, decision.Resource?.AppId ?? client.AppId, ClientApps.AtAuthorization(client.NativeRedirectUris, request.RedirectUri),
            http.Connection.RemoteIpAddress, methods, authenticatedAt,
            RequestedAuthenticationContexts.Of(request), http.RequestAborted);
        var attempt = SignInAttempt.Interactive(http, tenant.Id, client).By(user).For(decision.Resource?.AppId)
            .Using(AuthenticationStrengths.Describe(methods)).Under(access);
        if (access.Outcome != AccessOutcome.Granted)
        {
            return Enforce(http, request, user, access, attempt, signIns, promptNone: prompts.Contains(PromptValues.None));
        }

        if (AppliedPolicies.AnyApplied(access))
        {
            // Report-only results (and policies satisfied) are what administrators read before turning a policy on.
            signIns.Record(attempt, SignInStatus.Success);
        }

        if (http.Request.Query.ContainsKey(ConsentService.DeniedMarker))
        {
            return ProtocolResults.Reject(TesseraErrors.ConsentDenied);
        }

        if (http.Request.Query.ContainsKey(ConsentService.AdminApprovalMarker))
        {
            return ProtocolResults.Reject(TesseraErrors.ConsentAwaitingAdmin);
        }

        if (decision.ConsentNeeded || prompts.Contains(PromptValues.Consent))
        {
            if (prompts.Contains(PromptValues.None))
            {
                return ProtocolResults.Reject(TesseraErrors.ConsentRequired);
            }

            var returnUrl = ReturnUrl(http, request, without: [PromptValues.Consent]);
            return Results.Redirect(QueryHelpers.AddQueryString($"{http.Request.PathBase}/account/consent", "returnUrl", returnUrl));
        }

        // 4. Issue the code.
        var principal = TokenPrincipals.ForUser(
            user, request.ClientId!, azpacr: "0", request.GetScopes(), decision.Resource, decision.GrantedApiScopes, decision.Roles,
            authenticatedAt, methods, sessionId: SignInSessionStore.SessionIdOf(session.Principal)?.ToString("D"),
            authenticationContexts: access.SatisfiedAuthenticationContexts, networkRanges: TokenPrincipals.NetworkRangesOf(access));
        // No SetAuthorizationId: OpenIddict gives this sign-in an authorization of its own, so a replayed refresh token
        // revokes this sign-in's family only, not every session of the user with this client.
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// A Conditional Access refusal: a block is the client's <c>access_denied</c>; controls the session lacks send the
    /// user to sign in again, asking for the strength the policies demand the way <c>acr_values</c> does (the sign-in
    /// pages explain what to add when the user has no such method).
    /// </summary>
    private static IResult Enforce(
        HttpContext http, OpenIddictRequest request, DirectoryUser user, ConditionalAccessDecision access, SignInAttempt attempt, SignInLog signIns, bool promptNone)
    {
        var names = ConditionalAccessGate.FailedPolicyNames(access);
        if (access.Outcome == AccessOutcome.Blocked)
        {
            signIns.Record(attempt, SignInStatus.ConditionalAccessBlocked);
            return ProtocolResults.Reject(TesseraErrors.ConditionalAccessBlocked.With(names));
        }

        signIns.Record(attempt, SignInStatus.ConditionalAccessMfaRequired);
        if (promptNone)
        {
            return ProtocolResults.Reject(TesseraErrors.ConditionalAccessInteractionRequired.With(ConditionalAccessGate.Demand(access), names));
        }

        var returnUrl = ReturnUrl(http, request, without: [PromptValues.Login, PromptValues.SelectAccount]);
        var strength = ConditionalAccessGate.SignInStrengthOf(access);
        if (strength > AuthenticationStrength.Password && AuthenticationStrengths.AcrOf(strength) is { } acr)
        {
            returnUrl = QueryHelpers.AddQueryString(returnUrl, RequestedStrength.ConditionalAccessMarker, acr);
        }

        var signIn = QueryHelpers.AddQueryString($"{http.Request.PathBase}/account/signin", "returnUrl", returnUrl);
        return Results.Redirect(QueryHelpers.AddQueryString(signIn, "loginHint", user.UserName ?? string.Empty));
    }

    /// <summary>Whether an <c>id_token_hint</c> was sent, and its subject if OpenIddict validated it (signature, issuer).</summary>
    private static async Task<(bool Sent, string? Subject)> HintedSubjectAsync(HttpContext http, OpenIddictRequest request)
    {
        if (string.IsNullOrEmpty(request.IdTokenHint))
        {
            return (false, null);
        }

        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        return (true, result.Principal?.GetClaim(Claims.Subject));
    }

    /// <summary>The <c>amr</c> values of the SSO session.</summary>
    public static IEnumerable<string> AuthenticationMethods(ClaimsPrincipal session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var methods = session.FindAll("amr").Select(c => c.Value).ToList();
        return methods.Count > 0 ? methods : ["pwd"];
    }

    /// <summary>This authorization request again, as a local URL, without the prompt values already satisfied.</summary>
    private static string ReturnUrl(HttpContext http, OpenIddictRequest request, string[] without)
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in request.GetParameters())
        {
            if (name is ConsentService.DeniedMarker or ConsentService.AdminApprovalMarker or RequestedStrength.ConditionalAccessMarker)
            {
                continue;
            }

            if (name == Parameters.Prompt)
            {
                var kept = request.GetPromptValues().Except(without, StringComparer.Ordinal).ToList();
                if (kept.Count > 0)
                {
                    parameters[name] = string.Join(' ', kept);
                }

                continue;
            }

            parameters[name] = (string?)value;
        }

        return QueryHelpers.AddQueryString(http.Request.PathBase + Path, parameters);
    }
}
