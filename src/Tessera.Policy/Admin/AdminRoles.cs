namespace Tessera.Policy.Admin;

/// <summary>A built-in role for people who run the tenant, with the template id Entra ID uses for it (the <c>wids</c> claim).</summary>
public sealed record AdminRole(Guid TemplateId, string DisplayName, string Description, IReadOnlyList<string> Permissions);

/// <summary>
/// The built-in admin roles. A person's delegated token can do what its scopes ask for AND their roles allow:
/// a Security Reader consenting to <c>Application.ReadWrite.All</c> still only reads.
/// </summary>
public static class AdminRoles
{
    public static readonly AdminRole GlobalAdministrator = new(
        Guid.Parse("62e90394-69f5-4237-9190-012177145e10"), "Global Administrator",
        "Can manage every part of the tenant.", [AdminPermissions.DirectoryReadWriteAll]);

    public static readonly AdminRole PrivilegedRoleAdministrator = new(
        Guid.Parse("e8611ab8-c189-46e8-94e1-60213ab1f814"), "Privileged Role Administrator",
        "Can assign admin roles, grant consent to any permission and set what users may consent to.",
        [
            AdminPermissions.RoleManagementReadWriteDirectory, AdminPermissions.DirectoryReadAll, AdminPermissions.DelegatedPermissionGrantReadWriteAll,
            AdminPermissions.PolicyReadWriteAuthorization, AdminPermissions.PolicyReadWritePermissionGrant,
        ]);

    public static readonly AdminRole ApplicationAdministrator = new(
        Guid.Parse("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"), "Application Administrator",
        "Can create and manage every application registration, including its credentials, and grant consent for users.",
        [
            AdminPermissions.ApplicationReadWriteAll, AdminPermissions.UserReadAll, AdminPermissions.GroupReadAll,
            AdminPermissions.DelegatedPermissionGrantReadWriteAll,
        ]);

    public static readonly AdminRole CloudApplicationAdministrator = new(
        Guid.Parse("158c047a-c907-4556-b7ef-446551a6b5f7"), "Cloud Application Administrator",
        "Can create and manage application registrations and grant consent for users.",
        [AdminPermissions.ApplicationReadWriteAll, AdminPermissions.DelegatedPermissionGrantReadWriteAll]);

    public static readonly AdminRole ApplicationDeveloper = new(
        Guid.Parse("cf1c38e5-3621-4004-a7cb-879624dced7c"), "Application Developer",
        "Can register applications and manage the ones they own.", [AdminPermissions.ApplicationReadWriteOwnedBy]);

    public static readonly AdminRole UserAdministrator = new(
        Guid.Parse("fe930be7-5e62-47db-91af-98c3a49a38b1"), "User Administrator",
        "Can manage users and groups.", [AdminPermissions.UserReadWriteAll, AdminPermissions.GroupReadWriteAll]);

    public static readonly AdminRole SecurityAdministrator = new(
        Guid.Parse("194ae4cb-b126-40b2-bd5b-6091b380977d"), "Security Administrator",
        "Can manage security policies and read logs.",
        [
            AdminPermissions.PolicyReadWriteConditionalAccess, AdminPermissions.PolicyReadWriteApplicationConfiguration,
            AdminPermissions.PolicyReadWriteAuthenticationMethod, AdminPermissions.AuditLogReadAll, AdminPermissions.DirectoryReadAll,
            AdminPermissions.IdentityRiskEventReadAll, AdminPermissions.IdentityRiskyUserReadWriteAll,
        ]);

    public static readonly AdminRole ConditionalAccessAdministrator = new(
        Guid.Parse("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"), "Conditional Access Administrator",
        "Can manage Conditional Access policies, named locations and authentication contexts.",
        [AdminPermissions.PolicyReadWriteConditionalAccess, AdminPermissions.UserReadAll, AdminPermissions.GroupReadAll, AdminPermissions.ApplicationReadAll]);

    public static readonly AdminRole SecurityReader = new(
        Guid.Parse("5d6b6bb7-de71-4623-b4af-96380a352509"), "Security Reader",
        "Can read security policies and logs.",
        [AdminPermissions.PolicyReadAll, AdminPermissions.AuditLogReadAll, AdminPermissions.DirectoryReadAll, AdminPermissions.IdentityRiskEventReadAll,
         AdminPermissions.IdentityRiskyUserReadAll]);

    public static readonly AdminRole GlobalReader = new(
        Guid.Parse("f2ef992c-3afb-46b9-b7cf-a126ee74c451"), "Global Reader",
        "Can read everything a Global Administrator can change.",
        [AdminPermissions.DirectoryReadAll, AdminPermissions.AuditLogReadAll, AdminPermissions.IdentityRiskEventReadAll, AdminPermissions.IdentityRiskyUserReadAll]);

    public static readonly IReadOnlyList<AdminRole> All =
    [
        GlobalAdministrator, PrivilegedRoleAdministrator, ApplicationAdministrator, CloudApplicationAdministrator,
        ApplicationDeveloper, UserAdministrator, SecurityAdministrator, ConditionalAccessAdministrator, SecurityReader, GlobalReader,
    ];

    public static AdminRole? Find(Guid templateId) => All.FirstOrDefault(r => r.TemplateId == templateId);

    /// <summary>What a delegated caller may do: the scopes of the token, limited by the permissions of the caller's roles.</summary>
    public static IReadOnlySet<string> EffectiveDelegated(IEnumerable<string> scopes, IEnumerable<Guid> roleTemplateIds)
    {
        var fromRoles = AdminPermissions.Expand(roleTemplateIds.Select(Find).OfType<AdminRole>().SelectMany(r => r.Permissions));
        return AdminPermissions.Expand(scopes).Where(fromRoles.Contains).ToHashSet(StringComparer.Ordinal);
    }
}
