namespace Tessera.Server.Admin.Access;

/// <summary>Who is calling the admin API, in which tenant, and what they may do there.</summary>
public sealed record AdminCaller(
    Guid TenantId,
    Guid ObjectId,
    string ClientId,
    bool IsApplication,
    string DisplayName,
    IReadOnlySet<string> Permissions)
{
    public bool Has(string permission) => Tessera.Policy.Admin.AdminPermissions.Grants(Permissions, permission);

    public bool HasAny(IEnumerable<string> permissions) => permissions.Any(Has);
}
