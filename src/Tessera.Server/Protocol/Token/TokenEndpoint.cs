using System.Text.Json.Nodes;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Tessera.Policy.ConditionalAccess;
using Tessera.Directory.Users;
using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;
using Tessera.Policy.ServicePrincipals;
using Tessera.Policy.Sessions;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Clients;
using Tessera.Server.ConditionalAccess;
using Tessera.Server.Consent;
using Tessera.Server.Protocol.Authorize;
using Tessera.Server.Protocol.Resources;
using Tessera.Server.Protocol.Tokens;
using Tessera.Server.Sessions;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tenancy;
using static OpenIddict.Abstractions.OpenIddictConstants;
using AccessOutcome = Tessera.Policy.ConditionalAccess.AccessOutcome;
using ConditionalAccessDecision = Tessera.Policy.ConditionalAccess.ConditionalAccessDecision;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// The token endpoint after OpenIddict has authenticated the client and validated the grant:
/// client credentials get an app-only token; codes and refresh tokens get a user token rebuilt from the
/// directory, so that a disabled user, a changed role, a lost app role assignment or group membership takes effect at the
/// next refresh. On-behalf-of and token exchange are <see cref="DelegatedGrant"/>'s.
/// A disabled client never gets here (<see cref="RejectDisabledClients"/>); a disabled API is refused as audience.
/// Each outcome goes to the sign-in log (queued, never written here); code redemptions only when refused, since the
/// sign-in page has logged the sign-in they complete.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = "/oauth2/v2.0/token";

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext http, ResourceDirectory resources, ClientDirectory clients, AdminRoleLookup adminRoles, GroupLookup groups,
        ConsentService consents, UserManager<DirectoryUser> users, SignInLog signIns, TimeProvider time, DelegatedGrant delegated,
        ConditionalAccessGate conditionalAccess)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not run for this request.");
        var tenant = http.RequireTenant();

        // OpenIddict has authenticated the client, so it is in the cache already.
        var client = await clients.FindInAsync(request.ClientId!, tenant.Id, http.RequestAborted);
        var attempt = SignInAttempt.Token(http, request, tenant.Id, client);
        if (client is { Present: false })
        {
            // A multitenant application gets tokens in another tenant only once consent there gave it a service principal.
            return Refuse(signIns, attempt, TesseraErrors.ApplicationNotInTenant.With(client.DisplayName));
        }

        if (request.IsClientCredentialsGrantType())
        {
            return await ClientCredentialsAsync(http, request, tenant, resources, signIns, attempt, conditionalAccess);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType() || request.IsDeviceCodeGrantType())
        {
            return await RedeemAsync(http, request, tenant, client, resources, adminRoles, groups, consents, users, signIns, attempt, time, conditionalAccess);
        }

        if (Delegation.GrantOf(request) is { } grant)
        {
            return await delegated.IssueAsync(http, request, grant, tenant, client, attempt);
        }

        // OpenIddict refuses every other grant type before this point.
        throw new InvalidOperationException($"The grant type '{request.GrantType}' reached the token endpoint.");
    }

    private static async Task<IResult> ClientCredentialsAsync(
        HttpContext http, OpenIddictRequest request, TenantInfo tenant, ResourceDirectory resources, SignInLog signIns, SignInAttempt attempt,
        ConditionalAccessGate conditionalAccess)
    {
        var cancellationToken = http.RequestAborted;
        var scopes = request.GetScopes();
        var parsed = ScopeRequest.Parse(scopes);
        if (parsed.Error is not null)
        {
            return ProtocolResults.Reject(parsed.Error);
        }

        if (parsed.Request is not { IsDefault: true, Resource: { } identifier, OpenIdScopes.Count: 0 })
        {
            return ProtocolResults.Reject(TesseraErrors.ClientCredentialsNeedDefault);
        }

        // The shared-signals transmitter is an API of every tenant that no one registers: receivers manage their streams with it.
        var resource = SharedSignals.SharedSignalsResource.Matches(identifier)
            ? SharedSignals.SharedSignalsResource.Info
            : await resources.FindAsync(tenant.Id, identifier, cancellationToken);
        if (resource is null)
        {
            return Refuse(signIns, attempt, TesseraErrors.ResourceUnknown.With(identifier));
        }

        var clientId = Guid.Parse(request.ClientId!);
        if (await resources.AdmitAsync(resource, clientId, TokenSubject.Application, ProtocolStep.Token, cancellationToken) is { } refused)
        {
            return Refuse(signIns, attempt.For(resource.AppId), refused);
        }

        // Conditional Access for workload identities: an application cannot step up, so anything but a grant is a block.
        var access = await conditionalAccess.ForWorkloadAsync(tenant.Id, clientId, resource.AppId, http.Connection.RemoteIpAddress, cancellationToken);
        attempt = attempt.Under(access);
        if (access.Outcome != AccessOutcome.Granted)
        {
            return Refuse(signIns, attempt.For(resource.AppId), TesseraErrors.ConditionalAccessBlockedWorkload.With(ConditionalAccessGate.FailedPolicyNames(access)));
        }

        var roles = await resources.AssignedRolesAsync(resource, clientId, "Application", cancellationToken);
        var principal = TokenPrincipals.ForApplication(
            tenant.Id, request.ClientId!, TesseraClaims.ClientAuthenticationOf(request), resource, roles, scopes[0]);
        signIns.Record(attempt.For(resource.AppId), SignInStatus.Success);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> RedeemAsync(
        HttpContext http, OpenIddictRequest request, TenantInfo tenant, ClientInfo? client, ResourceDirectory resources,
        AdminRoleLookup adminRoles, GroupLookup groups, ConsentService consents, UserManager<DirectoryUser> users, SignInLog signIns,
        SignInAttempt attempt, TimeProvider time, ConditionalAccessGate conditionalAccess)
    {
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var granted = result.Principal ?? throw new InvalidOperationException("OpenIddict validated the grant but returned no principal.");

        var subject = granted.GetClaim(Claims.Subject);
        var user = await users.FindByIdAsync(subject ?? string.Empty);
        if (user is null || !user.AccountEnabled || user.TenantId != tenant.Id)
        {
            // The grant was issued by this tenant, so its subject is (or was) one of the tenant's users.
            var who = user?.TenantId == tenant.Id ? attempt.By(user) : attempt with { UserId = Guid.TryParse(subject, out var id) ? id : null };
            return Refuse(signIns, who, TesseraErrors.UserDisabled);
        }

        attempt = attempt.By(user);

        // A refresh token issued in a browser session that was signed out (not merely timed out) ends with it.
        if (request.IsRefreshTokenGrantType() && Guid.TryParse(granted.GetClaim(TesseraClaims.SessionId), out var sessionId) &&
            await http.RequestServices.GetRequiredService<SignInSessionStore>().WasEndedAsync(sessionId, http.RequestAborted))
        {
            return Refuse(signIns, attempt, SessionErrors.RefreshAfterSignOut);
        }

        // The application the user signed in to may admit assigned users only.
        if (client is null)
        {
            return Refuse(signIns, attempt, TesseraErrors.ClientNotInTenant);
        }

        if (await resources.AdmitUserAsync(client, user.Id, ProtocolStep.Token, http.RequestAborted) is { } notAssigned)
        {
            return Refuse(signIns, attempt, notAssigned);
        }

        // A refresh may narrow the scopes (OpenIddict has checked they were granted); otherwise keep them.
        var scopes = request.IsRefreshTokenGrantType() && request.GetScopes().Length > 0 ? request.GetScopes().ToList() : granted.GetScopes().ToList();
        var parsed = ScopeRequest.Parse(scopes).Request!;
        ResourceInfo? resource = null;
        IReadOnlyList<string> apiScopes = [];
        IReadOnlyList<string> roles = [];
        if (parsed.Resource is { } identifier)
        {
            resource = await resources.FindAsync(tenant.Id, identifier, http.RequestAborted);
            if (resource is null)
            {
                return Refuse(signIns, attempt, TesseraErrors.ResourceUnknown.With(identifier));
            }

            attempt = attempt.For(resource.AppId);
            if (await resources.AdmitAsync(resource, user.Id, TokenSubject.User, ProtocolStep.Token, http.RequestAborted) is { } refused)
            {
                return Refuse(signIns, attempt, refused);
            }

            roles = await resources.AssignedRolesAsync(resource, user.Id, "User", http.RequestAborted);
        }

        // The grant rests on consent: what was revoked since is dropped, and once nothing is left the grant is over.
        var stillGranted = await consents.StillGrantedAsync(tenant.Id, client.AppId, user.Id, parsed, resource, http.RequestAborted);
        if (stillGranted is null)
        {
            return Refuse(signIns, attempt, TesseraErrors.ConsentRevoked);
        }

        apiScopes = stillGranted.ApiScopes;
        scopes = scopes.Where(s => ScopeRequest.OpenIdConnectScopes.Contains(s)
            ? stillGranted.OpenIdScopes.Contains(s, StringComparer.Ordinal)
            : parsed.IsDefault || apiScopes.Contains(s[(s.LastIndexOf('/') + 1)..], StringComparer.Ordinal)).ToList();

        var authenticatedAt = long.TryParse(granted.GetClaim(TesseraClaims.AuthenticationTime), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : time.GetUtcNow();

        // A refresh after a CAE event: the client hands back the API's challenge, asking for a sign-in no older than the
        // event (access_token.nbf). An older sign-in cannot be made newer without the user.
        if (request.IsRefreshTokenGrantType())
        {
            var notBefore = NotBeforeRequest.Check(ClaimsRequest.AccessTokenNotBefore(request), authenticatedAt, time.GetUtcNow());
            if (notBefore != NotBeforeOutcome.Satisfied)
            {
                return Refuse(signIns, attempt, notBefore == NotBeforeOutcome.Invalid ? SharedSignalsErrors.NotBeforeInvalid : SharedSignalsErrors.SignInOlderThanRequested);
            }
        }

        var methods = TokenPrincipals.ReadArray(granted, TesseraClaims.AuthenticationMethods);
        IReadOnlySet<string> contexts = TokenPrincipals.ReadArray(granted, TesseraClaims.AuthenticationContexts).ToHashSet(StringComparer.Ordinal);
        var networkRanges = TokenPrincipals.ReadArray(granted, TesseraClaims.NetworkRanges);

        // A refresh is a sign-in without the user: the policies as they are now apply to it (the code and the device
        // code were checked when the user was there), for the contexts the session reached and any the client now
        // asks for in 'claims' (an API's step-up challenge handed to MSAL's WithClaims).
        if (request.IsRefreshTokenGrantType())
        {
            contexts = contexts.Union(RequestedAuthenticationContexts.Of(request)).ToHashSet(StringComparer.Ordinal);
            var clientApp = ClientApps.AtRefresh(
                clientAuthenticated: !string.IsNullOrEmpty(request.ClientSecret) || !string.IsNullOrEmpty(request.ClientAssertion),
                fromBrowserPage: http.Request.Headers.Origin.Count > 0);
            var access = await conditionalAccess.ForUserAsync(
                tenant.Id, user.Id, resource?.AppId ?? client.AppId, clientApp, http.Connection.RemoteIpAddress, methods, authenticatedAt, contexts,
                http.RequestAborted);
            attempt = attempt.Under(access);
            if (access.Outcome == AccessOutcome.Blocked)
            {
                return Refuse(signIns, attempt, TesseraErrors.ConditionalAccessBlockedAtRefresh.With(ConditionalAccessGate.FailedPolicyNames(access)));
            }

            if (access.Outcome == AccessOutcome.ControlsRequired)
            {
                var error = TesseraErrors.ConditionalAccessRequiredAtRefresh.With(ConditionalAccessGate.Demand(access), ConditionalAccessGate.FailedPolicyNames(access));
                signIns.Record(attempt, SignInStatus.Of(error));
                return ProtocolResults.Reject(error, ClaimsChallenge(access, contexts));
            }

            contexts = access.SatisfiedAuthenticationContexts;
            networkRanges = TokenPrincipals.NetworkRangesOf(access);
        }

        var principal = TokenPrincipals.ForUser(
            user, request.ClientId!, TesseraClaims.ClientAuthenticationOf(request), scopes, resource, apiScopes, roles,
            authenticatedAt, TokenPrincipals.ReadArray(granted, TesseraClaims.AuthenticationMethods),
            await adminRoles.TemplateIdsAsync(tenant.Id, user.Id, http.RequestAborted),
            await groups.ForSignInAsync(tenant.Id, user.Id, client.AppId, resource, Issuer(http), http.RequestAborted),
            granted.GetClaim(TesseraClaims.SessionId),
            contexts, networkRanges);
        principal.SetAuthorizationId(granted.GetAuthorizationId());
        if (!request.IsAuthorizationCodeGrantType())
        {
            signIns.Record(attempt, SignInStatus.Success);
        }

        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Entra ID's claims hint for a refresh Conditional Access refused: the failed policies (<c>capolids</c>) and the
    /// authentication contexts the token had, for the client to send in its next authorization request.
    /// </summary>
    internal static string ClaimsChallenge(ConditionalAccessDecision access, IReadOnlySet<string> contexts)
    {
        var accessToken = new JsonObject
        {
            ["capolids"] = new JsonObject { ["essential"] = true, ["values"] = new JsonArray([.. access.Failed.Select(p => (JsonNode)p.PolicyId.ToString("D"))]) },
        };
        if (contexts.Count > 0)
        {
            accessToken["acrs"] = new JsonObject { ["essential"] = true, ["values"] = new JsonArray([.. contexts.Order(StringComparer.Ordinal).Select(c => (JsonNode)c)]) };
        }

        return new JsonObject { ["access_token"] = accessToken }.ToJsonString();
    }

    /// <summary>The issuer OpenIddict gave this request (the tenant's, per origin; see <see cref="TenantServerFactory"/>).</summary>
    internal static Uri Issuer(HttpContext http)
        => http.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction?.Options.Issuer
           ?? throw new InvalidOperationException("OpenIddict did not set an issuer for this request.");

    /// <summary>Logs the refusal as a failed sign-in and returns it to the client.</summary>
    private static IResult Refuse(SignInLog signIns, SignInAttempt attempt, TesseraError error)
    {
        signIns.Record(attempt, SignInStatus.Of(error));
        return ProtocolResults.Reject(error);
    }
}
