using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tokens;

/// <summary>
/// Which tokens of a user's sign-in name the user's groups, and which groups count. The ID token is the client's, so
/// the client's registration decides; the access token is the API's, so the API's registration decides.
/// </summary>
public sealed record GroupClaimRequest(bool IdToken, bool AccessToken, bool SecurityGroupsOnly)
{
    public static readonly GroupClaimRequest Nobody = new(false, false, false);

    public bool Any => IdToken || AccessToken;
}

/// <summary>
/// The groups claim of a sign-in's tokens: the group object ids, or none and an <see cref="OverageEndpoint"/> when
/// the user is in more groups than a token may list (Entra ID's "groups overage").
/// </summary>
public sealed record GroupClaim(bool IdToken, bool AccessToken, IReadOnlyList<string> Groups, string? OverageEndpoint)
{
    public static readonly GroupClaim None = new(false, false, [], null);

    public bool Overage => OverageEndpoint is not null;
}

/// <summary>The <c>groups</c> claim, as Entra ID's <c>groupMembershipClaims</c> asks for it.</summary>
public static class GroupClaims
{
    /// <summary>
    /// The most groups a token lists, Entra ID's limit for JWTs: past it, a token names where the list is instead,
    /// so that tokens stay small enough for headers and cookies.
    /// </summary>
    public const int JwtLimit = 200;

    /// <summary>The name of the claim source an overage points to in <c>_claim_names</c>, as Entra ID spells it.</summary>
    public const string OverageSource = "src1";

    private static readonly string[] Asking = [GroupMembershipClaimsRules.SecurityGroup, GroupMembershipClaimsRules.All];

    /// <summary>
    /// Which tokens carry groups, given the <c>groupMembershipClaims</c> of the client and of the API (null when the
    /// sign-in asks for no API: its access token then has no audience that could have asked). A value Tessera does not
    /// know counts as <c>None</c>. Both tokens of a sign-in share one list, so when both ask and one asks for security
    /// groups only, that narrower choice holds for both.
    /// </summary>
    public static GroupClaimRequest Requested(string? clientSetting, string? resourceSetting)
    {
        var client = Setting(clientSetting);
        var resource = Setting(resourceSetting);
        var idToken = client is not null;
        var accessToken = resource is not null;
        if (!idToken && !accessToken)
        {
            return GroupClaimRequest.Nobody;
        }

        var securityOnly = client == GroupMembershipClaimsRules.SecurityGroup || resource == GroupMembershipClaimsRules.SecurityGroup;
        return new GroupClaimRequest(idToken, accessToken, securityOnly);
    }

    /// <summary>
    /// The claim for the user's groups (<paramref name="groupIds"/>, object ids): the list when it has at most
    /// <paramref name="limit"/> entries, otherwise no list and <paramref name="overageEndpoint"/>, where an API reads them.
    /// </summary>
    public static GroupClaim Decide(GroupClaimRequest request, IReadOnlyList<string> groupIds, string overageEndpoint, int limit = JwtLimit)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(groupIds);
        ArgumentException.ThrowIfNullOrEmpty(overageEndpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (!request.Any)
        {
            return GroupClaim.None;
        }

        var groups = groupIds.Distinct(StringComparer.Ordinal).ToList();
        return groups.Count > limit
            ? new GroupClaim(request.IdToken, request.AccessToken, [], overageEndpoint)
            : new GroupClaim(request.IdToken, request.AccessToken, groups, null);
    }

    // SecurityGroup or All as stored, or null for None, unset and anything else.
    private static string? Setting(string? value)
        => value is null ? null : Asking.FirstOrDefault(v => string.Equals(v, value.Trim(), StringComparison.OrdinalIgnoreCase));
}
