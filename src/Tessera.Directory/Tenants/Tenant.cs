namespace Tessera.Directory.Tenants;

/// <summary>An organisation: the boundary of users, applications and policies. Its id is the token's <c>tid</c>.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }
    public required string DisplayName { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }
    public List<TenantDomain> Domains { get; set; } = [];

    /// <summary>
    /// What users may consent to for themselves (Graph's <c>permissionGrantPoliciesAssigned</c> of the authorization
    /// policy): one of <see cref="UserConsentPolicies"/>.
    /// </summary>
    public string UserConsentPolicy { get; set; } = UserConsentPolicies.LowRiskVerifiedPublishers;

    /// <summary>The longest lifetime of a client secret in this tenant, at most two years.</summary>
    public int PasswordCredentialMaxLifetimeDays { get; set; } = 730;

    /// <summary>No new client secret may be added (Graph's <c>passwordAddition</c> restriction): certificates or federation only.</summary>
    public bool PasswordAdditionBlocked { get; set; }

    /// <summary>
    /// Words people of this tenant may not use in passwords (Entra ID's custom banned password list), matched after
    /// normalisation; at most <see cref="PasswordProtection.MaxBannedPasswords"/> entries of 4 to 64 characters.
    /// </summary>
    public List<string> BannedPasswords { get; set; } = [];

    /// <summary>Whether <see cref="BannedPasswords"/> is enforced when a password is set.</summary>
    public bool EnforceBannedPasswords { get; set; } = true;

    /// <summary>Failed sign-ins from one kind of source (familiar or not) that lock an account.</summary>
    public int LockoutThreshold { get; set; } = PasswordProtection.DefaultLockoutThreshold;

    /// <summary>How long the first lockout lasts; each further one lasts twice as long as the one before.</summary>
    public int LockoutDurationSeconds { get; set; } = PasswordProtection.DefaultLockoutDurationSeconds;

    /// <summary>How long a sign-in session may go unused before it ends, in minutes; null: the server's default.</summary>
    public int? SessionIdleTimeoutMinutes { get; set; }

    /// <summary>How long a sign-in session lasts however busy, in minutes; null: the server's default.</summary>
    public int? SessionAbsoluteTimeoutMinutes { get; set; }
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    /// <summary>
    /// Moves on every change to the tenant's Conditional Access policies, named locations or authentication contexts:
    /// servers keep the parsed policies per tenant and read only this to know whether their copy is current.
    /// </summary>
    public Guid ConditionalAccessVersion { get; set; } = Guid.NewGuid();
}

/// <summary>The bounds and defaults of a tenant's password protection settings.</summary>
public static class PasswordProtection
{
    public const int MaxBannedPasswords = 1000;
    public const int DefaultLockoutThreshold = 10;
    public const int DefaultLockoutDurationSeconds = 60;
}

/// <summary>The tenant's user consent settings, named as Entra ID names its built-in permission grant policies.</summary>
public static class UserConsentPolicies
{
    /// <summary>Users may not consent; every grant comes from an administrator.</summary>
    public const string None = "none";

    /// <summary>Users may consent to permissions rated low, for applications of verified publishers or of this tenant.</summary>
    public const string LowRiskVerifiedPublishers = "ManagePermissionGrantsForSelf.microsoft-user-default-low";

    /// <summary>Users may consent to every permission that does not require an administrator.</summary>
    public const string AllUserConsentable = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";

    public static readonly IReadOnlyList<string> All = [None, LowRiskVerifiedPublishers, AllUserConsentable];
}
