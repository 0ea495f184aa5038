using System.Net;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>
/// What is known of a sign-in or token request when the policies are evaluated: who (a person, with their groups
/// and admin roles, or an application as itself), to what, from where, with which client, how they authenticated
/// and when. The same record feeds "what if".
/// </summary>
public sealed record SignInConditions
{
    /// <summary>The person; <c>null</c> when an application signs in as itself.</summary>
    public Guid? UserId { get; init; }
    public IReadOnlySet<Guid> GroupIds { get; init; } = new HashSet<Guid>();
    public IReadOnlySet<Guid> RoleTemplateIds { get; init; } = new HashSet<Guid>();

    /// <summary>The app id of the application signing in as itself (client credentials); <c>null</c> for a person.</summary>
    public Guid? ServicePrincipalAppId { get; init; }

    /// <summary>The application the token is for: the API (resource), or the client itself when it only signs the person in.</summary>
    public Guid? ApplicationId { get; init; }

    /// <summary>Authentication contexts the client asked for (the <c>acrs</c> claims request).</summary>
    public IReadOnlySet<string> AuthenticationContexts { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    public ClientAppType ClientApp { get; init; } = ClientAppType.Browser;
    public IPAddress? IpAddress { get; init; }
    public RiskLevel SignInRisk { get; init; }
    public RiskLevel UserRisk { get; init; }

    /// <summary>The session's <c>amr</c> values.</summary>
    public IReadOnlySet<string> AuthenticationMethods { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    public DateTimeOffset? AuthenticatedAt { get; init; }
    public required DateTimeOffset Now { get; init; }

    public bool IsWorkload => UserId is null;
}
