using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using Tessera.Directory.Users;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.Delegation;
using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;
using Tessera.Policy.ServicePrincipals;
using Tessera.Server.Clients;
using Tessera.Server.ConditionalAccess;
using Tessera.Server.Consent;
using Tessera.Server.Protocol.Resources;
using Tessera.Server.Protocol.Tokens;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tenancy;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Tessera.Server.Protocol.Token;

/// <summary>
/// On-behalf-of and token exchange at the token endpoint, once OpenIddict has authenticated the calling API and
/// Tessera's handlers have validated the user's token and checked it was issued to that API
/// (<see cref="ValidateUserToken"/>, <see cref="RequireUserTokenForCaller"/>). The new token is built from the
/// directory as a refresh is: the user must still exist and be enabled; the downstream API must be enabled and admit
/// the user; <c>scp</c> is what was asked for and is delegated to the calling API for this user
/// (<c>oAuth2PermissionGrant</c> rows whose client is the calling API), nothing more. The user's sign-in travels on:
/// <c>sub</c>, <c>oid</c>, <c>tid</c>, <c>auth_time</c>, <c>amr</c>; <c>azp</c> becomes the calling API.
/// The downstream API's Conditional Access policies apply to the user's sign-in as the token shows it: a block refuses,
/// a missing control answers with <c>claims</c> for the calling API to pass back to its client.
/// Each outcome goes to the sign-in log as a non-interactive sign-in of the user to the calling API.
/// </summary>
public sealed class DelegatedGrant(
    ResourceDirectory resources, ConsentService consents, UserManager<DirectoryUser> users, AdminRoleLookup adminRoles,
    GroupLookup groups, ConditionalAccessGate conditionalAccess, SignInLog signIns, TimeProvider time)
{
    private const string ClientInfoParameter = "client_info";

    public async Task<IResult> IssueAsync(
        HttpContext http, OpenIddictRequest request, DelegationGrant grant, TenantInfo tenant, ClientInfo? client, SignInAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(attempt);
        var userToken = UserTokenPrincipal(http);
        var cancellationToken = http.RequestAborted;

        var subject = userToken.GetClaim(Claims.Subject);
        var user = await users.FindByIdAsync(subject ?? string.Empty);
        if (user is null || !user.AccountEnabled || user.TenantId != tenant.Id)
        {
            var who = user?.TenantId == tenant.Id ? attempt.By(user) : attempt with { UserId = Guid.TryParse(subject, out var id) ? id : null };
            return Refuse(who, TesseraErrors.UserDisabled);
        }

        attempt = attempt.By(user);
        if (client is null)
        {
            return Refuse(attempt, TesseraErrors.ClientNotInTenant);
        }

        // The calling API is an application the user signs in to, as far as its own assignment rule goes.
        if (await resources.AdmitUserAsync(client, user.Id, ProtocolStep.Token, cancellationToken) is { } notAssigned)
        {
            return Refuse(attempt, notAssigned);
        }

        var parsed = ScopeRequest.Parse(request.GetScopes());
        if (parsed.Error is not null)
        {
            return ProtocolResults.Reject(parsed.Error);
        }

        if (parsed.Request is not { Resource: { } identifier } requested)
        {
            return ProtocolResults.Reject(TesseraErrors.DownstreamApiMissing);
        }

        var resource = await resources.FindAsync(tenant.Id, identifier, cancellationToken);
        if (resource is null)
        {
            return Refuse(attempt, TesseraErrors.ResourceUnknown.With(identifier));
        }

        attempt = attempt.For(resource.AppId);
        if (await resources.AdmitAsync(resource, user.Id, TokenSubject.User, ProtocolStep.Token, cancellationToken) is { } refused)
        {
            return Refuse(attempt, refused);
        }

        if (!requested.IsDefault && requested.ResourceScopes.FirstOrDefault(s => !resource.EnabledScopeValues.Contains(s, StringComparer.Ordinal)) is { } unknown)
        {
            return Refuse(attempt, TesseraErrors.ScopeNotExposed.With(identifier, unknown));
        }

        var granted = await consents.GrantedAsync(tenant.Id, client.AppId, user.Id, requested, resource, cancellationToken);
        var scopes = DelegationRules.Decide(grant, requested, granted.ApiScopes, granted.OpenIdScopes);
        if (scopes.NothingGranted)
        {
            var asked = requested.IsDefault ? $"{identifier}/{ScopeRequest.DefaultScope}" : string.Join(' ', requested.ResourceScopes);
            return Refuse(attempt, TesseraErrors.DelegationConsentRequired.With(client.DisplayName, asked, resource.DisplayName, identifier));
        }

        var authenticatedAt = long.TryParse(userToken.GetClaim(TesseraClaims.AuthenticationTime), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : time.GetUtcNow();
        var methods = TokenPrincipals.ReadArray(userToken, TesseraClaims.AuthenticationMethods);

        // The downstream API's policies, for the user's sign-in as the token shows it. The calling API is a web
        // application acting for the person, from its own address (which location conditions therefore see).
        IReadOnlySet<string> contexts = TokenPrincipals.ReadArray(userToken, TesseraClaims.AuthenticationContexts).ToHashSet(StringComparer.Ordinal);
        var access = await conditionalAccess.ForUserAsync(
            tenant.Id, user.Id, resource.AppId, ClientAppType.Browser, http.Connection.RemoteIpAddress, methods, authenticatedAt, contexts, cancellationToken);
        attempt = attempt.Under(access);
        if (access.Outcome == AccessOutcome.Blocked)
        {
            return Refuse(attempt, TesseraErrors.ConditionalAccessBlockedOnBehalfOf.With(resource.DisplayName, ConditionalAccessGate.FailedPolicyNames(access)));
        }

        if (access.Outcome == AccessOutcome.ControlsRequired)
        {
            var error = TesseraErrors.ConditionalAccessRequiredOnBehalfOf.With(
                ConditionalAccessGate.Demand(access), ConditionalAccessGate.FailedPolicyNames(access), resource.DisplayName);
            signIns.Record(attempt, SignInStatus.Of(error));
            return ProtocolResults.Reject(error, TokenEndpoint.ClaimsChallenge(access, contexts));
        }

        var roles = await resources.AssignedRolesAsync(resource, user.Id, "User", cancellationToken);
        var principal = TokenPrincipals.ForUser(
            user, request.ClientId!, TesseraClaims.ClientAuthenticationOf(request), scopes.Scopes, resource, scopes.ApiScopes, roles,
            authenticatedAt, methods,
            await adminRoles.TemplateIdsAsync(tenant.Id, user.Id, cancellationToken),
            await groups.ForSignInAsync(tenant.Id, user.Id, client.AppId, resource, TokenEndpoint.Issuer(http), cancellationToken),
            authenticationContexts: access.SatisfiedAuthenticationContexts, networkRanges: TokenPrincipals.NetworkRangesOf(access));
        signIns.Record(attempt, SignInStatus.Success);
        var properties = new AuthenticationProperties();
        if ((string?)request.GetParameter(ClientInfoParameter) == "1")
        {
            properties.Parameters[ClientInfoParameter] = ClientInfo(user);
        }

        return Results.SignIn(principal, properties, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Entra ID's <c>client_info</c>: <c>{"uid": oid, "utid": tid}</c>, base64url, returned when the request asks
    /// (<c>client_info=1</c>). MSAL keys its cache by the account it names; an on-behalf-of response carries no ID
    /// token unless the calling API holds <c>openid</c>, and without either MSAL fails on its second call for the user.
    /// </summary>
    private static string ClientInfo(DirectoryUser user)
        => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["uid"] = user.Id.ToString("D"),
            ["utid"] = user.TenantId.ToString("D"),
        }));

    /// <summary>
    /// The user's token as <see cref="ValidateUserToken"/> validated it. OpenIddict hands a token exchange's subject to
    /// the endpoint, but not the assertion of a grant it does not know; both are in the transaction's authentication.
    /// </summary>
    private static ClaimsPrincipal UserTokenPrincipal(HttpContext http)
        => http.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction?
               .GetProperty<ProcessAuthenticationContext>(typeof(ProcessAuthenticationContext).FullName!)?.SubjectTokenPrincipal
           ?? throw new InvalidOperationException("OpenIddict validated the request but kept no principal for the user's token.");

    /// <summary>Logs the refusal as a failed sign-in and returns it to the client.</summary>
    private IResult Refuse(SignInAttempt attempt, TesseraError error)
    {
        signIns.Record(attempt, SignInStatus.Of(error));
        return ProtocolResults.Reject(error);
    }
}
