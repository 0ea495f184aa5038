namespace Tessera.Policy.Consent;

/// <summary>How risky an administrator rated a delegated permission; an unrated permission counts as <see cref="Medium"/>.</summary>
public enum PermissionRisk
{
    Low,
    Medium,
    High,
}

/// <summary>The tenant's rule for what users may consent to themselves.</summary>
public enum UserConsentRule
{
    /// <summary>Users may not consent; an administrator grants everything.</summary>
    NoUserConsent,

    /// <summary>Users may consent to low-risk permissions of applications whose publisher is trusted (the default).</summary>
    LowRiskTrustedPublishers,

    /// <summary>Users may consent to every permission that does not require an administrator.</summary>
    AnyUserConsentable,
}

/// <summary>One delegated permission a request needs consent for.</summary>
/// <param name="Value">The scope value, e.g. <c>Items.Read</c>.</param>
/// <param name="AdminOnly">The API declared it <c>Admin</c>: only an administrator may consent.</param>
/// <param name="Risk">The tenant's rating of it.</param>
public sealed record ScopeToConsent(string Value, bool AdminOnly, PermissionRisk Risk);

/// <summary>Who published the client application, as the consent page shows it.</summary>
/// <param name="Verified">An administrator verified the publisher.</param>
/// <param name="Multitenant">The application is offered to other organisations (<c>AzureADMultipleOrgs</c>).</param>
public sealed record Publisher(bool Verified, bool Multitenant)
{
    /// <summary>A verified publisher, or an application made for this organisation only, is trusted.</summary>
    public bool Trusted => Verified || !Multitenant;
}

/// <summary>Why a user may not consent to a permission themselves.</summary>
public enum ConsentBlock
{
    None,
    PermissionRequiresAdmin,
    TenantAllowsNoUserConsent,
    PublisherUnverified,
    PermissionNotLowRisk,
}

/// <summary>
/// Who may consent to what. Administrators holding the grant permission may consent to every delegated permission for
/// everyone; users consent for themselves within the tenant's rule; application permissions are never consented to by
/// users (they are app role assignments, granted by an administrator).
/// </summary>
public static class ConsentPolicy
{
    /// <summary>Whether a user may consent to <paramref name="permission"/> for themselves, and if not, why.</summary>
    public static ConsentBlock UserConsent(UserConsentRule rule, Publisher publisher, ScopeToConsent permission)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(permission);
        if (permission.AdminOnly)
        {
            return ConsentBlock.PermissionRequiresAdmin;
        }

        return rule switch
        {
            UserConsentRule.NoUserConsent => ConsentBlock.TenantAllowsNoUserConsent,
            UserConsentRule.LowRiskTrustedPublishers when !publisher.Trusted => ConsentBlock.PublisherUnverified,
            UserConsentRule.LowRiskTrustedPublishers when permission.Risk != PermissionRisk.Low => ConsentBlock.PermissionNotLowRisk,
            _ => ConsentBlock.None,
        };
    }

    /// <summary>The first reason the user may not consent to all of <paramref name="permissions"/>, or <see cref="ConsentBlock.None"/>.</summary>
    public static ConsentBlock UserConsent(UserConsentRule rule, Publisher publisher, IEnumerable<ScopeToConsent> permissions)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        return permissions.Select(p => UserConsent(rule, publisher, p)).FirstOrDefault(b => b != ConsentBlock.None);
    }

    /// <summary>
    /// Whether the signed-in person may approve a request: an administrator who may grant consent always (admin-only
    /// permissions and unverified publishers included: that is what the role is for), a user when nothing blocks them.
    /// </summary>
    public static bool MayApprove(ConsentBlock userBlock, bool administrator) => administrator || userBlock == ConsentBlock.None;

    /// <summary>A sentence for the consent page on why approval by an administrator is needed.</summary>
    public static string Explain(ConsentBlock block) => block switch
    {
        ConsentBlock.PermissionRequiresAdmin => "It asks for a permission that only an administrator can grant.",
        ConsentBlock.TenantAllowsNoUserConsent => "Your organisation lets only administrators grant permissions to applications.",
        ConsentBlock.PublisherUnverified => "Its publisher is not verified, and your organisation lets users consent only to applications of verified publishers.",
        ConsentBlock.PermissionNotLowRisk => "It asks for a permission your organisation has not rated low-risk, and users may consent only to low-risk permissions.",
        _ => string.Empty,
    };

    /// <summary>Reads a classification as stored; anything unknown or missing is <see cref="PermissionRisk.Medium"/>.</summary>
    public static PermissionRisk ParseRisk(string? classification) => classification switch
    {
        "low" => PermissionRisk.Low,
        "high" => PermissionRisk.High,
        _ => PermissionRisk.Medium,
    };
}
