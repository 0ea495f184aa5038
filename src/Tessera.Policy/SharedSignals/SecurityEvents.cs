using System.Text.Json.Nodes;

namespace Tessera.Policy.SharedSignals;

/// <summary>A directory change that APIs must hear about at once (Continuous Access Evaluation).</summary>
public enum DirectoryChangeKind
{
    AccountDisabled,
    AccountDeleted,
    PasswordChanged,
    SessionsRevoked,
    UserRiskHigh,
    MethodAdded,
    MethodRemoved,
    ConsentRemoved,
    AppRoleAssignmentRemoved,
    ServicePrincipalDisabled,
    ServicePrincipalDeleted,

    /// <summary>The strongest sign-in a user's methods allow went up or down (<see cref="AssuranceLevels"/>).</summary>
    AssuranceLevelChanged,

    /// <summary>
    /// An application lost delegated permissions for every user of the tenant (an <c>AllPrincipals</c> grant deleted,
    /// or scopes taken out of it): its subject is the client application, not a user.
    /// </summary>
    ClientConsentRemoved,
}

/// <summary>Who caused a change, as CAEP's <c>initiating_entity</c> names it.</summary>
public static class InitiatingEntities
{
    public const string Admin = "admin";
    public const string User = "user";
    public const string Policy = "policy";
    public const string System = "system";
}

/// <summary>
/// One change of the directory about one subject: <paramref name="SubjectId"/> is the object id access tokens carry in
/// <c>oid</c> (a user's id, or an application's id for its app-only tokens).
/// </summary>
/// <param name="CredentialType">For a method added or removed: CAEP's <c>credential_type</c> (<c>fido2-roaming</c>, <c>app</c>...).</param>
/// <param name="ChangedClaim">For consent or an app role assignment removed: the claim that changes (<c>scp</c>, <c>roles</c>).</param>
/// <param name="Assurance">For <see cref="DirectoryChangeKind.AssuranceLevelChanged"/>: the levels before and after.</param>
public sealed record DirectoryChange(
    DirectoryChangeKind Kind, Guid SubjectId, DateTimeOffset At, string InitiatingEntity, string? CredentialType = null, string? ChangedClaim = null,
    AssuranceChange? Assurance = null);

/// <summary>One event of a Security Event Token: its type URI and its payload (the value under <c>events[type]</c>).</summary>
public sealed record SecurityEvent(string Type, JsonObject Payload);

/// <summary>The event types Tessera transmits (CAEP 1.0, RISC 1.0, SSF 1.0).</summary>
public static class SecurityEventTypes
{
    public const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    public const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
    public const string AssuranceLevelChange = "https://schemas.openid.net/secevent/caep/event-type/assurance-level-change";
    public const string AccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    public const string AccountPurged = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
    public const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    /// <summary>What a stream may carry; verification is always delivered and not requested.</summary>
    public static readonly IReadOnlyList<string> Supported =
        [SessionRevoked, CredentialChange, TokenClaimsChange, AssuranceLevelChange, AccountDisabled, AccountPurged];
}

/// <summary>
/// Which event a directory change becomes, and with what payload. Every payload carries <c>event_timestamp</c> (Unix
/// seconds of the change), <c>initiating_entity</c> and <c>reason_admin</c>; a receiver refuses the subject's tokens
/// issued at or before the timestamp.
/// </summary>
public static class SecurityEventRules
{
    public static SecurityEvent For(DirectoryChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Kind switch
        {
            DirectoryChangeKind.AccountDisabled => Event(SecurityEventTypes.AccountDisabled, change, "The account was disabled.", new() { ["reason"] = "admin" }),
            DirectoryChangeKind.ServicePrincipalDisabled => Event(SecurityEventTypes.AccountDisabled, change, "The service principal was disabled.", new() { ["reason"] = "admin" }),
            DirectoryChangeKind.AccountDeleted => Event(SecurityEventTypes.AccountPurged, change, "The account was deleted."),
            DirectoryChangeKind.ServicePrincipalDeleted => Event(SecurityEventTypes.AccountPurged, change, "The service principal was deleted."),
            DirectoryChangeKind.SessionsRevoked => Event(SecurityEventTypes.SessionRevoked, change, "The sign-in sessions were revoked."),
            DirectoryChangeKind.UserRiskHigh => Event(SecurityEventTypes.SessionRevoked, change, "The user's risk was raised to high."),
            DirectoryChangeKind.PasswordChanged => Credential(change, "password", "update", "The password was changed."),
            DirectoryChangeKind.MethodAdded => Credential(change, change.CredentialType ?? "app", "create", "An authentication method was added."),
            DirectoryChangeKind.MethodRemoved => Credential(change, change.CredentialType ?? "app", "delete", "An authentication method was removed."),
            DirectoryChangeKind.ConsentRemoved => ClaimsChange(change, change.ChangedClaim ?? "scp", "Consent to a permission was removed."),
            DirectoryChangeKind.AppRoleAssignmentRemoved => ClaimsChange(change, change.ChangedClaim ?? "roles", "An app role assignment was removed."),
            DirectoryChangeKind.ClientConsentRemoved => ClaimsChange(change, "scp", "Consent for every user of the tenant was removed from the application."),
            DirectoryChangeKind.AssuranceLevelChanged => Assurance(change),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "No event for this change."),
        };
    }

    /// <summary>The SSF verification event: the receiver's <c>state</c> echoed, no subject effect.</summary>
    public static SecurityEvent Verification(string? state)
        => new(SecurityEventTypes.Verification, state is null ? [] : new JsonObject { ["state"] = state });

    /// <summary>The event types a stream delivers: those requested that Tessera supports, in Tessera's order; all when none was requested.</summary>
    public static IReadOnlyList<string> Delivered(IReadOnlyCollection<string>? requested)
        => requested is null || requested.Count == 0
            ? SecurityEventTypes.Supported
            : SecurityEventTypes.Supported.Where(requested.Contains).ToList();

    private static SecurityEvent Credential(DirectoryChange change, string credentialType, string changeType, string reason)
        => Event(SecurityEventTypes.CredentialChange, change, reason, new() { ["credential_type"] = credentialType, ["change_type"] = changeType });

    private static SecurityEvent Assurance(DirectoryChange change)
    {
        var levels = change.Assurance ?? throw new ArgumentException("An assurance level change needs its levels.", nameof(change));
        return Event(SecurityEventTypes.AssuranceLevelChange, change,
            levels.IsDecrease ? "An authentication method was removed: the user can no longer sign in as strongly." : "An authentication method was added: the user can sign in more strongly.",
            new()
            {
                ["namespace"] = AssuranceLevels.Namespace,
                ["current_level"] = levels.Current,
                ["previous_level"] = levels.Previous,
                ["change_direction"] = levels.IsDecrease ? "decrease" : "increase",
            });
    }

    // The claim's new value is not known to every receiver's token shape; the claim name with a null value says "changed, ask again".
    private static SecurityEvent ClaimsChange(DirectoryChange change, string claim, string reason)
        => Event(SecurityEventTypes.TokenClaimsChange, change, reason, new() { ["claims"] = new JsonObject { [claim] = null } });

    private static SecurityEvent Event(string type, DirectoryChange change, string reason, JsonObject? extra = null)
    {
        var payload = new JsonObject
        {
            ["event_timestamp"] = change.At.ToUnixTimeSeconds(),
            ["initiating_entity"] = change.InitiatingEntity,
            ["reason_admin"] = new JsonObject { ["en"] = reason },
        };
        foreach (var (name, value) in extra ?? [])
        {
            payload[name] = value?.DeepClone();
        }

        return new SecurityEvent(type, payload);
    }
}
