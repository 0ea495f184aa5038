namespace Tessera.Server.Protocol.Tokens;

/// <summary>Claim names of Tessera tokens, modelled on Microsoft identity platform v2.0 access tokens.</summary>
public static class TesseraClaims
{
    public const string ObjectId = "oid";
    public const string TenantId = "tid";
    public const string AuthorizedParty = "azp";
    public const string AuthorizedPartyAuthentication = "azpacr";
    public const string Scope = "scp";
    public const string Roles = "roles";

    /// <summary>The user's groups, by object id, when the registration the token is for asks (<c>groupMembershipClaims</c>).</summary>
    public const string Groups = "groups";

    /// <summary>Distributed claims (OIDC Core §5.6.2): past the groups limit, <c>groups</c> names a source here...</summary>
    public const string ClaimNames = "_claim_names";

    /// <summary>...and the source here gives the endpoint that lists them.</summary>
    public const string ClaimSources = "_claim_sources";

    /// <summary>Built-in admin roles of the user, by template id.</summary>
    public const string AdminRoles = "wids";
    public const string Version = "ver";
    public const string IdentityType = "idtyp";
    public const string UniqueTokenId = "uti";
    public const string PreferredUsername = "preferred_username";
    public const string Name = "name";
    public const string Email = "email";
    public const string AuthenticationTime = "auth_time";
    public const string AuthenticationMethods = "amr";

    /// <summary>The sign-in session (ID tokens only): what front-channel logout and the end-session endpoint name.</summary>
    public const string SessionId = "sid";

    /// <summary>The authentication strength the sign-in reached, as one of Tessera's <c>acr</c> values.</summary>
    public const string AuthenticationContextClass = "acr";

    /// <summary>The authentication contexts (<c>c1</c>..<c>c99</c>) whose Conditional Access policies the sign-in satisfied (access tokens only).</summary>
    public const string AuthenticationContexts = "acrs";

    /// <summary>
    /// Where the token may be used, under Conditional Access strict location enforcement (access tokens only): one
    /// string per binding policy, its CIDR ranges separated by spaces; an API refuses the token from an address outside
    /// some range of every string. Absent when no such policy binds the token.
    /// </summary>
    public const string NetworkRanges = "xms_tessera_ipr";

    /// <summary>Client capabilities the client declared in the token request (<c>cp1</c>: it handles claims challenges).</summary>
    public const string ClientCapabilities = "xms_cc";

    /// <summary><c>azpacr</c>: how the client proved itself. 0 public client, 1 client secret, 2 certificate.</summary>
    public static string ClientAuthenticationOf(OpenIddict.Abstractions.OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return !string.IsNullOrEmpty(request.ClientAssertion) ? "2" : !string.IsNullOrEmpty(request.ClientSecret) ? "1" : "0";
    }
}
