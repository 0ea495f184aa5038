using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Tessera.Directory.Users;
using Tessera.Policy.Authentication;
using Tessera.Policy.Tokens;
using Tessera.Server.Protocol.Resources;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>Builds the principals OpenIddict turns into tokens, with Entra-shaped claims and their destinations.</summary>
public static class TokenPrincipals
{
    private static readonly string[] AccessTokenOnly = [Destinations.AccessToken];
    private static readonly string[] BothTokens = [Destinations.AccessToken, Destinations.IdentityToken];
    private static readonly string[] IdentityTokenOnly = [Destinations.IdentityToken];

    /// <summary>A token for an application acting as itself (client credentials).</summary>
    public static ClaimsPrincipal ForApplication(Guid tenantId, string clientId, string azpacr, ResourceInfo resource, IReadOnlyList<string> roles, string scope)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaim(TesseraClaims.ObjectId, clientId)
            .SetClaim(TesseraClaims.TenantId, tenantId.ToString("D"))
            .SetClaim(TesseraClaims.AuthorizedParty, clientId)
            .SetClaim(TesseraClaims.AuthorizedPartyAuthentication, azpacr)
            .SetClaim(TesseraClaims.IdentityType, "app");
        AddArray(identity, TesseraClaims.Roles, roles);
        AddCommon(identity);

        var principal = new ClaimsPrincipal(identity);
        principal.SetAudiences(resource.Audience);
        principal.SetScopes(scope);
        Finish(principal);
        return principal;
    }

    /// <summary>
    /// A token for an application acting for a signed-in user (authorization code, refresh). The authorization endpoint
    /// and the device page pass neither admin roles nor groups: their principal only seals a code, which the token endpoint
    /// rebuilds from the directory, and a code travels in a URL, where hundreds of group ids have no place.
    /// </summary>
    public static ClaimsPrincipal ForUser(
        DirectoryUser user, string clientId, string azpacr, IEnumerable<string> scopes, ResourceInfo? resource,
        IReadOnlyList<string> grantedApiScopes, IReadOnlyList<string> roles, DateTimeOffset authenticatedAt, IEnumerable<string> methods,
        IReadOnlyList<string>? adminRoleTemplateIds = null, GroupClaim? groups = null, string? sessionId = null,
        IReadOnlyCollection<string>? authenticationContexts = null, IReadOnlyList<string>? networkRanges = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var scopeList = scopes.ToList();
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id.ToString("D"))
            .SetClaim(TesseraClaims.ObjectId, user.Id.ToString("D"))
            .SetClaim(TesseraClaims.TenantId, user.TenantId.ToString("D"))
            .SetClaim(TesseraClaims.AuthorizedParty, clientId)
            .SetClaim(TesseraClaims.AuthorizedPartyAuthentication, azpacr)
            .SetClaim(TesseraClaims.IdentityType, "user")
            .SetClaim(TesseraClaims.AuthenticationTime, authenticatedAt.ToUnixTimeSeconds());
        var methodList = methods.ToList();
        AddArray(identity, TesseraClaims.AuthenticationMethods, methodList);
        if (AuthenticationStrengths.AcrOf(AuthenticationStrengths.Of(methodList)) is { } acr)
        {
            identity.SetClaim(TesseraClaims.AuthenticationContextClass, acr);
        }

        if (!string.IsNullOrEmpty(sessionId))
        {
            identity.SetClaim(TesseraClaims.SessionId, sessionId);
        }

        if (scopeList.Contains(Scopes.Profile, StringComparer.Ordinal) || resource is not null)
        {
            identity.SetClaim(TesseraClaims.Name, user.DisplayName ?? user.UserName)
                .SetClaim(TesseraClaims.PreferredUsername, user.UserName);
        }

        if (scopeList.Contains(Scopes.Email, StringComparer.Ordinal) && user.Email is not null)
        {
            identity.SetClaim(TesseraClaims.Email, user.Email);
        }

        if (resource is not null)
        {
            if (grantedApiScopes.Count > 0)
            {
                identity.SetClaim(TesseraClaims.Scope, string.Join(' ', grantedApiScopes));
            }

            AddArray(identity, TesseraClaims.Roles, roles);
        }

        AddArray(identity, TesseraClaims.AdminRoles, adminRoleTemplateIds ?? []);
        AddArray(identity, TesseraClaims.AuthenticationContexts, [.. (authenticationContexts ?? []).Order(StringComparer.Ordinal)]);
        AddArray(identity, TesseraClaims.NetworkRanges, networkRanges ?? []);
        AddGroups(identity, groups ?? GroupClaim.None);
        AddCommon(identity);
        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopeList);
        if (resource is not null)
        {
            principal.SetAudiences(resource.Audience);
        }

        Finish(principal, GroupDestinations(groups ?? GroupClaim.None));
        return principal;
    }

    /// <summary>The <see cref="TesseraClaims.NetworkRanges"/> values of a granted decision: per binding policy, its ranges in CIDR notation.</summary>
    public static IReadOnlyList<string> NetworkRangesOf(Tessera.Policy.ConditionalAccess.ConditionalAccessDecision access)
    {
        ArgumentNullException.ThrowIfNull(access);
        return [.. access.LocationBindings.Select(ranges => string.Join(' ', ranges.Select(r => r.ToString())))];
    }

    /// <summary>The values of a claim that tokens carry as a JSON array, however it was stored.</summary>
    public static IReadOnlyList<string> ReadArray(ClaimsPrincipal principal, string type)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var values = new List<string>();
        foreach (var claim in principal.FindAll(type))
        {
            if (claim.Value.StartsWith('['))
            {
                values.AddRange(JsonNode.Parse(claim.Value)!.AsArray().Select(v => v!.GetValue<string>()));
            }
            else
            {
                values.Add(claim.Value);
            }
        }

        return values;
    }

    // Always an array, even with one value, so that APIs never see "roles": "Admin" one day and a list the next.
    private static void AddArray(ClaimsIdentity identity, string type, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            identity.AddClaim(new Claim(type, JsonSerializer.Serialize(values), JsonClaimValueTypes.JsonArray));
        }
    }

    /// <summary>
    /// The group ids as an array, or past the limit Entra ID's overage pointer (OIDC Core distributed claims):
    /// <c>"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "..."}}</c>.
    /// </summary>
    private static void AddGroups(ClaimsIdentity identity, GroupClaim groups)
    {
        if (!groups.IdToken && !groups.AccessToken)
        {
            return;
        }

        if (groups.OverageEndpoint is { } endpoint)
        {
            var names = new JsonObject { [TesseraClaims.Groups] = GroupClaims.OverageSource };
            var sources = new JsonObject { [GroupClaims.OverageSource] = new JsonObject { ["endpoint"] = endpoint } };
            identity.AddClaim(new Claim(TesseraClaims.ClaimNames, names.ToJsonString(), JsonClaimValueTypes.Json));
            identity.AddClaim(new Claim(TesseraClaims.ClaimSources, sources.ToJsonString(), JsonClaimValueTypes.Json));
            return;
        }

        AddArray(identity, TesseraClaims.Groups, groups.Groups);
    }

    /// <summary>The ID token when the client asked for groups, the access token when the API did.</summary>
    private static string[] GroupDestinations(GroupClaim groups) => (groups.IdToken, groups.AccessToken) switch
    {
        (true, true) => BothTokens,
        (true, false) => IdentityTokenOnly,
        (false, true) => AccessTokenOnly,
        _ => [],
    };

    private static ClaimsIdentity NewIdentity()
        => new(authenticationType: "Tessera", nameType: TesseraClaims.Name, roleType: TesseraClaims.Roles);

    private static void AddCommon(ClaimsIdentity identity)
    {
        identity.SetClaim(TesseraClaims.Version, "2.0")
            .SetClaim(TesseraClaims.UniqueTokenId, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)));
    }

    private static void Finish(ClaimsPrincipal principal, string[]? groupDestinations = null)
    {
        principal.SetAccessTokenLifetime(TokenLifetimes.AccessToken(Random.Shared.NextDouble()));
        principal.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject or TesseraClaims.ObjectId or TesseraClaims.TenantId or TesseraClaims.Name or
            TesseraClaims.PreferredUsername or TesseraClaims.Email or TesseraClaims.AuthenticationTime or
            TesseraClaims.AuthenticationMethods or TesseraClaims.AuthenticationContextClass or TesseraClaims.Version => BothTokens,
            TesseraClaims.Groups or TesseraClaims.ClaimNames or TesseraClaims.ClaimSources => groupDestinations ?? [],
            TesseraClaims.SessionId => IdentityTokenOnly,
            _ => AccessTokenOnly,
        });
    }
}
