namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>The event types of the contract (CAEP 1.0, RISC 1.0, SSF 1.0) and what the receiver does with them.</summary>
internal static class SecurityEventTypes
{
    public const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    public const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
    public const string AssuranceLevelChange = "https://schemas.openid.net/secevent/caep/event-type/assurance-level-change";
    public const string AccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    public const string AccountPurged = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
    public const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    /// <summary>Events after which a subject's tokens issued at or before <c>event_timestamp</c> are refused.</summary>
    public static readonly IReadOnlyList<string> Revoking =
        [SessionRevoked, CredentialChange, TokenClaimsChange, AssuranceLevelChange, AccountDisabled, AccountPurged];

    /// <summary>What the receiver asks its stream for.</summary>
    public static readonly IReadOnlyList<string> Requested = [.. Revoking, Verification];
}

/// <summary>
/// A security event token that passed every check: its <c>jti</c>, its one event's type, and for a revoking event the
/// subject and time. <see cref="Subject"/> is null for a verification or an event type the receiver does not know
/// (acknowledged, without effect).
/// </summary>
internal sealed record SecurityEvent(string Jti, string Type, Subject? Subject, long Timestamp);

/// <summary>Why a SET was refused, as RFC 8935 and RFC 8936 report it: <c>err</c> and <c>description</c>.</summary>
internal sealed record SetRejection(string Err, string Description)
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidKey = "invalid_key";
    public const string InvalidIssuer = "invalid_issuer";
    public const string InvalidAudience = "invalid_audience";
    public const string AuthenticationFailed = "authentication_failed";
}
