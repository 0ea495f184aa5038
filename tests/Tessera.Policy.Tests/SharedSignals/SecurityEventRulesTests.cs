using Tessera.Policy.SharedSignals;

namespace Tessera.Policy.Tests.SharedSignals;

public sealed class SecurityEventRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Subject = Guid.NewGuid();

    public static TheoryData<DirectoryChangeKind, string, string?, string?> Table => new()
    {
        { DirectoryChangeKind.AccountDisabled, SecurityEventTypes.AccountDisabled, "reason", "admin" },
        { DirectoryChangeKind.ServicePrincipalDisabled, SecurityEventTypes.AccountDisabled, "reason", "admin" },
        { DirectoryChangeKind.AccountDeleted, SecurityEventTypes.AccountPurged, null, null },
        { DirectoryChangeKind.ServicePrincipalDeleted, SecurityEventTypes.AccountPurged, null, null },
        { DirectoryChangeKind.SessionsRevoked, SecurityEventTypes.SessionRevoked, null, null },
        { DirectoryChangeKind.UserRiskHigh, SecurityEventTypes.SessionRevoked, null, null },
        { DirectoryChangeKind.PasswordChanged, SecurityEventTypes.CredentialChange, "credential_type", "password" },
        { DirectoryChangeKind.MethodAdded, SecurityEventTypes.CredentialChange, "change_type", "create" },
        { DirectoryChangeKind.MethodRemoved, SecurityEventTypes.CredentialChange, "change_type", "delete" },
        { DirectoryChangeKind.ConsentRemoved, SecurityEventTypes.TokenClaimsChange, null, null },
        { DirectoryChangeKind.AppRoleAssignmentRemoved, SecurityEventTypes.TokenClaimsChange, null, null },
        { DirectoryChangeKind.ClientConsentRemoved, SecurityEventTypes.TokenClaimsChange, null, null },
    };

    [Theory]
    [InlineData(1, false, 0, false, "nist-aal3", "nist-aal1", "decrease")]
    [InlineData(1, true, 0, true, "nist-aal3", "nist-aal2", "decrease")]
    [InlineData(0, false, 0, true, "nist-aal1", "nist-aal2", "increase")]
    [InlineData(0, true, 1, true, "nist-aal2", "nist-aal3", "increase")]
    public void AssuranceLevelChange_MethodsBeforeAndAfter_GivesCaepMembers(
        int passkeysBefore, bool appBefore, int passkeysAfter, bool appAfter, string previous, string current, string direction)
    {
        var change = AssuranceLevels.Change(AssuranceLevels.Achievable(passkeysBefore, appBefore), AssuranceLevels.Achievable(passkeysAfter, appAfter));
        var payload = SecurityEventRules.For(new DirectoryChange(DirectoryChangeKind.AssuranceLevelChanged, Subject, At, InitiatingEntities.User, Assurance: change)).Payload;

        Assert.Equal(
            ["NIST-AAL", previous, current, direction],
            [payload["namespace"]!.GetValue<string>(), payload["previous_level"]!.GetValue<string>(), payload["current_level"]!.GetValue<string>(), payload["change_direction"]!.GetValue<string>()]);
    }

    [Fact]
    public void AssuranceLevels_SameLevel_NoChange()
        => Assert.Null(AssuranceLevels.Change(AssuranceLevels.Achievable(2, true), AssuranceLevels.Achievable(1, false)));

    [Theory]
    [MemberData(nameof(Table))]
    public void For_EachChange_GivesItsEventWithTheCommonMembers(DirectoryChangeKind kind, string type, string? member, string? value)
    {
        var securityEvent = SecurityEventRules.For(new DirectoryChange(kind, Subject, At, InitiatingEntities.Admin));
        Assert.Equal(type, securityEvent.Type);
        Assert.Equal(At.ToUnixTimeSeconds(), securityEvent.Payload["event_timestamp"]!.GetValue<long>());
        Assert.Equal("admin", securityEvent.Payload["initiating_entity"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(securityEvent.Payload["reason_admin"]!["en"]!.GetValue<string>()));
        if (member is not null)
        {
            Assert.Equal(value, securityEvent.Payload[member]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData(DirectoryChangeKind.ConsentRemoved, null, "scp")]
    [InlineData(DirectoryChangeKind.AppRoleAssignmentRemoved, null, "roles")]
    [InlineData(DirectoryChangeKind.AppRoleAssignmentRemoved, "groups", "groups")]
    public void For_ClaimsChange_NamesTheClaim(DirectoryChangeKind kind, string? claim, string expected)
    {
        var securityEvent = SecurityEventRules.For(new DirectoryChange(kind, Subject, At, InitiatingEntities.Admin, ChangedClaim: claim));
        Assert.True(securityEvent.Payload["claims"]!.AsObject().ContainsKey(expected));
    }

    [Fact]
    public void For_MethodAdded_CarriesTheCredentialType()
    {
        var securityEvent = SecurityEventRules.For(new DirectoryChange(DirectoryChangeKind.MethodAdded, Subject, At, InitiatingEntities.User, CredentialType: "fido2-platform"));
        Assert.Equal("fido2-platform", securityEvent.Payload["credential_type"]!.GetValue<string>());
        Assert.Equal("user", securityEvent.Payload["initiating_entity"]!.GetValue<string>());
    }

    [Fact]
    public void Verification_EchoesTheState()
    {
        Assert.Equal("s1", SecurityEventRules.Verification("s1").Payload["state"]!.GetValue<string>());
        Assert.Empty(SecurityEventRules.Verification(null).Payload);
    }

    [Fact]
    public void Delivered_NoneRequested_IsEverythingSupported()
    {
        Assert.Equal(SecurityEventTypes.Supported, SecurityEventRules.Delivered(null));
        Assert.Equal(SecurityEventTypes.Supported, SecurityEventRules.Delivered([]));
    }

    [Fact]
    public void Delivered_Requested_IsTheSupportedOnesOnly()
        => Assert.Equal([SecurityEventTypes.AccountDisabled], SecurityEventRules.Delivered(["urn:example:x", SecurityEventTypes.AccountDisabled]));

    [Theory]
    [InlineData("https://api.example.com/caep", true)]
    [InlineData("http://localhost:5000/caep", true)]
    [InlineData("http://127.0.0.1/caep", true)]
    [InlineData("http://127.8.9.10/caep", true)]
    [InlineData("http://[::1]:8080/caep", true)]
    [InlineData("http://api.example.com/caep", false)]
    [InlineData("http://localhost.example.com/caep", false)]
    [InlineData("http://10.0.0.1/caep", false)]
    [InlineData("https://user:pw@api.example.com/caep", false)]
    [InlineData("https://api.example.com/caep#frag", false)]
    [InlineData("ftp://127.0.0.1/caep", false)]
    [InlineData("/caep", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void CheckPushEndpoint_HttpsOrLoopbackHttp(string? endpoint, bool allowed)
        => Assert.Equal(allowed, StreamRules.CheckPushEndpoint(endpoint) is null);
}
