namespace Tessera.Directory.Sessions;

/// <summary>
/// One browser sign-in session of a person: made each time the SSO cookie is issued (its id is the cookie's and the
/// ID token's <c>sid</c>), checked on every request that carries the cookie, and ended (never deleted) when the user
/// signs out, an administrator ends it, it times out, or the account is disabled, deleted or gets a new password.
/// </summary>
public sealed class SignInSession
{
    public const int UserAgentLength = 512;
    public const int MethodsLength = 128;

    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedDateTime { get; set; }

    /// <summary>The last request seen with this session, written at most about once a minute.</summary>
    public DateTimeOffset LastActivityDateTime { get; set; }

    /// <summary>The absolute end of the session, fixed when it starts.</summary>
    public DateTimeOffset ExpiresDateTime { get; set; }
    public required string IpAddress { get; set; }
    public required string UserAgent { get; set; }

    /// <summary>The <c>amr</c> values of the sign-in, space-separated (<c>pwd</c>, <c>pwd mfa</c>, <c>hwk</c>...).</summary>
    public required string AuthenticationMethods { get; set; }

    /// <summary>When the session ended; null while it is active (subject to its timeouts).</summary>
    public DateTimeOffset? EndedDateTime { get; set; }

    /// <summary>One of <see cref="SessionEndReasons"/>; null while the session is active.</summary>
    public string? EndReason { get; set; }
}

/// <summary>Why a session ended, as the session lists and the audit log say it.</summary>
public static class SessionEndReasons
{
    public const string SignedOut = "signedOut";
    public const string SignedOutEverywhere = "signedOutEverywhere";
    public const string EndedByUser = "endedByUser";
    public const string EndedByAdministrator = "endedByAdministrator";
    public const string SessionsRevoked = "sessionsRevoked";
    public const string Replaced = "replacedByNewSignIn";
    public const string IdleTimeout = "idleTimeout";
    public const string AbsoluteTimeout = "absoluteTimeout";
    public const string AccountDisabled = "accountDisabled";
    public const string AccountDeleted = "accountDeleted";
    public const string PasswordChanged = "passwordChanged";
    public const string UserRiskHigh = "userRiskHigh";
}
