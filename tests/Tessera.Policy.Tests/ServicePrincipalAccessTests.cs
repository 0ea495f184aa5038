using Tessera.Policy.ServicePrincipals;

namespace Tessera.Policy.Tests;

public sealed class ServicePrincipalAccessTests
{
    private static readonly Guid AppId = Guid.Parse("6f1c7a52-3f3e-4b8e-9a55-0c9d6c1f2a10");

    private static ServicePrincipalState Sp(bool enabled, bool required) => new(AppId, "Orders API", enabled, required);

    [Theory]
    [InlineData(true, ProtocolStep.Token, null, null)]
    [InlineData(true, ProtocolStep.Authorization, null, null)]
    [InlineData(false, ProtocolStep.Token, "TSR2028", "invalid_client")]
    [InlineData(false, ProtocolStep.Authorization, "TSR2028", "unauthorized_client")]
    public void AsClient_Enabled_OnlyEnabledClientsGetAnything(bool enabled, ProtocolStep step, string? code, string? oauthError)
    {
        var error = ServicePrincipalAccess.AsClient(Sp(enabled, required: false), step);
        Assert.Equal(code, error?.Code);
        Assert.Equal(oauthError, error?.OAuthError);
    }

    [Theory]
    // enabled, assignment required, subject, assigned, step → code, OAuth error
    [InlineData(true, false, TokenSubject.Application, false, ProtocolStep.Token, null, null)]
    [InlineData(true, false, TokenSubject.User, false, ProtocolStep.Authorization, null, null)]
    [InlineData(true, true, TokenSubject.Application, true, ProtocolStep.Token, null, null)]
    [InlineData(true, true, TokenSubject.User, true, ProtocolStep.Token, null, null)]
    [InlineData(true, true, TokenSubject.Application, false, ProtocolStep.Token, "TSR2030", "invalid_grant")]
    [InlineData(true, true, TokenSubject.User, false, ProtocolStep.Authorization, "TSR2031", "access_denied")]
    [InlineData(true, true, TokenSubject.User, false, ProtocolStep.Token, "TSR2031", "invalid_grant")]
    [InlineData(false, false, TokenSubject.Application, true, ProtocolStep.Token, "TSR2029", "invalid_scope")]
    [InlineData(false, true, TokenSubject.User, true, ProtocolStep.Authorization, "TSR2029", "invalid_scope")]
    [InlineData(false, true, TokenSubject.User, false, ProtocolStep.Token, "TSR2029", "invalid_scope")]
    public void AsAudience_EnabledRequiredAssigned_Decision(
        bool enabled, bool required, TokenSubject subject, bool assigned, ProtocolStep step, string? code, string? oauthError)
    {
        var error = ServicePrincipalAccess.AsAudience(Sp(enabled, required), subject, assigned, step);
        Assert.Equal(code, error?.Code);
        Assert.Equal(oauthError, error?.OAuthError);
    }

    [Theory]
    [InlineData(false, false, ProtocolStep.Authorization, null, null)]
    [InlineData(true, true, ProtocolStep.Authorization, null, null)]
    [InlineData(true, false, ProtocolStep.Authorization, "TSR2031", "access_denied")]
    [InlineData(true, false, ProtocolStep.Token, "TSR2031", "invalid_grant")]
    public void UserSignIn_AssignmentRequired_OnlyAssignedUsers(bool required, bool assigned, ProtocolStep step, string? code, string? oauthError)
    {
        var error = ServicePrincipalAccess.UserSignIn(Sp(enabled: true, required), assigned, step);
        Assert.Equal(code, error?.Code);
        Assert.Equal(oauthError, error?.OAuthError);
    }

    [Fact]
    public void Refusals_NameTheServicePrincipalAndWhereToFixIt()
    {
        var notAssigned = ServicePrincipalAccess.AsAudience(Sp(true, true), TokenSubject.Application, false, ProtocolStep.Token)!;
        Assert.Contains("'Orders API'", notAssigned.Description, StringComparison.Ordinal);
        Assert.Contains($"/servicePrincipals/{AppId:D}/appRoleAssignedTo", notAssigned.Description, StringComparison.Ordinal);
        Assert.Contains(AppId.ToString("D"), ServicePrincipalAccess.AsClient(Sp(false, false), ProtocolStep.Token)!.Description, StringComparison.Ordinal);
    }
}
