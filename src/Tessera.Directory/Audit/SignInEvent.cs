namespace Tessera.Directory.Audit;

/// <summary>
/// One sign-in attempt, successful or not (Graph's <c>signIn</c>): a person on the sign-in page, an application
/// redeeming a refresh token or device code for a person, or an application signing in as itself. Written in the
/// background, never in the request that made it, and never part of the audit hash chain.
/// </summary>
public sealed class SignInEvent
{
    public const int UserAgentLength = 512;
    public const int NameLength = 256;
    public const int AppliedPoliciesLength = 4000;

    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>The person; <c>null</c> for an application's own sign-in and for a user name that names nobody.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The person's user name, or, when it names nobody in the tenant, the name that was typed.</summary>
    public string? UserPrincipalName { get; set; }
    public string? UserDisplayName { get; set; }

    /// <summary>The application signed in to; <see cref="Guid.Empty"/> when the sign-in page was opened without one.</summary>
    public Guid AppId { get; set; }
    public string? AppDisplayName { get; set; }

    /// <summary>The app id of the API the token is for, when there is one.</summary>
    public Guid? ResourceId { get; set; }
    public required string IpAddress { get; set; }

    /// <summary>The network the address belongs to (IPv4 /24, IPv6 /64), as smart lockout and spray detection count sources.</summary>
    public string SourcePrefix { get; set; } = string.Empty;
    public required string UserAgent { get; set; }

    /// <summary><see cref="SignInClientApps"/>.</summary>
    public required string ClientAppUsed { get; set; }
    public bool IsInteractive { get; set; }

    /// <summary>0 for success, otherwise Microsoft Entra ID's number for the same failure (50126: bad user name or password).</summary>
    public int ErrorCode { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>How the subject proved itself, e.g. <c>Password</c>, <c>Previously satisfied</c>, <c>Client secret</c>.</summary>
    public required string AuthenticationMethods { get; set; }

    /// <summary><see cref="SignInEventTypes"/>.</summary>
    public required string SignInEventType { get; set; }

    /// <summary>
    /// Graph's <c>appliedConditionalAccessPolicies</c> as JSON text (id, displayName, result, enforced controls), report-only
    /// results included; <c>null</c> where no policy was evaluated.
    /// </summary>
    public string? AppliedConditionalAccessPolicies { get; set; }
    public required string CorrelationId { get; set; }
}

/// <summary>Graph's <c>signInEventTypes</c> values.</summary>
public static class SignInEventTypes
{
    public const string InteractiveUser = "interactiveUser";
    public const string NonInteractiveUser = "nonInteractiveUser";
    public const string ServicePrincipal = "servicePrincipal";
}

/// <summary>Graph's <c>clientAppUsed</c> values that Tessera records.</summary>
public static class SignInClientApps
{
    public const string Browser = "Browser";
    public const string OtherClients = "Other clients";
}
