using Tessera.Policy.Admin;

namespace Tessera.Policy.Tests;

public sealed class AdminPermissionsTests
{
    [Theory]
    [InlineData("Application.ReadWrite.All", "Application.Read.All", true)]
    [InlineData("Application.ReadWrite.All", "Application.ReadWrite.OwnedBy", true)]
    [InlineData("Application.Read.All", "Application.ReadWrite.All", false)]
    [InlineData("Application.ReadWrite.OwnedBy", "Application.Read.All", false)]
    [InlineData("User.ReadWrite.All", "Group.Read.All", false)]
    [InlineData("Directory.Read.All", "User.Read.All", true)]
    [InlineData("Directory.Read.All", "User.ReadWrite.All", false)]
    [InlineData("Directory.Read.All", "AuditLog.Read.All", false)]
    [InlineData("Directory.ReadWrite.All", "RoleManagement.ReadWrite.Directory", true)]
    [InlineData("Policy.ReadWrite.ConditionalAccess", "Policy.Read.All", true)]
    [InlineData("Policy.ReadWrite.ConditionalAccess", "Policy.Read.ConditionalAccess", true)]
    [InlineData("Policy.Read.All", "Policy.Read.ConditionalAccess", true)]
    [InlineData("Directory.Read.All", "Policy.Read.ConditionalAccess", true)]
    [InlineData("Policy.Read.ConditionalAccess", "Policy.Read.All", false)]
    [InlineData("Policy.Read.ConditionalAccess", "Policy.ReadWrite.ConditionalAccess", false)]
    [InlineData("Directory.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", true)]
    [InlineData("Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", false)]
    [InlineData("RoleManagement.ReadWrite.Directory", "AppRoleAssignment.ReadWrite.All", false)]
    [InlineData("Directory.Read.All", "AppRoleAssignment.ReadWrite.All", false)]
    [InlineData("AppRoleAssignment.ReadWrite.All", "Application.Read.All", false)]
    public void Grants_Held_ImpliesOnlyNarrowerOfTheSameFamily(string held, string needed, bool granted)
        => Assert.Equal(granted, AdminPermissions.Grants([held], needed));

    [Fact]
    public void EffectiveDelegated_ScopeBeyondRole_LimitedByRole()
    {
        var effective = AdminRoles.EffectiveDelegated(["Application.ReadWrite.All"], [AdminRoles.SecurityReader.TemplateId]);
        Assert.Contains("Application.Read.All", effective);
        Assert.DoesNotContain("Application.ReadWrite.All", effective);
    }

    [Fact]
    public void EffectiveDelegated_NoRole_Nothing()
        => Assert.Empty(AdminRoles.EffectiveDelegated(["Directory.ReadWrite.All"], []));

    [Fact]
    public void EffectiveDelegated_GlobalAdministrator_WhatTheScopesAsk()
    {
        var effective = AdminRoles.EffectiveDelegated(["User.Read.All"], [AdminRoles.GlobalAdministrator.TemplateId]);
        Assert.Equal(["User.Read.All"], effective);
    }
}
