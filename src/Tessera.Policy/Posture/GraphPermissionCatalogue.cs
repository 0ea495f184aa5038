namespace Tessera.Policy.Posture;

/// <summary>How much a permission lets an application do to the tenant or its people's data.</summary>
public enum Privilege
{
    Low,
    Medium,
    High,

    /// <summary>Enough to take over the tenant: grant itself any permission or any admin role.</summary>
    Critical,
}

/// <summary>A well-known permission of Microsoft Graph: its id, name, kind and privilege.</summary>
/// <param name="Delegated">A delegated permission (<c>Scope</c>); otherwise an application permission (<c>Role</c>).</param>
public sealed record GraphPermissionInfo(string Id, string Name, bool Delegated, Privilege Privilege);

/// <summary>
/// The Microsoft Graph permissions the posture rules know by id (as <c>requiredResourceAccess</c> names them), with
/// the privilege each gives. Not every Graph permission: the ones that matter most when an application holds them.
/// </summary>
public static class GraphPermissionCatalogue
{
    /// <summary>Microsoft Graph's application id, the same in every tenant.</summary>
    public const string MicrosoftGraph = "00000003-0000-0000-c000-000000000000";

    public static readonly IReadOnlyList<GraphPermissionInfo> All =
    [
        // Application permissions (Role).
        new("9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", "RoleManagement.ReadWrite.Directory", false, Privilege.Critical),
        new("06b708a9-e830-4db3-a914-8e69da51d44f", "AppRoleAssignment.ReadWrite.All", false, Privilege.Critical),
        new("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All", false, Privilege.Critical),
        new("19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All", false, Privilege.Critical),
        new("e2a3a72e-5f79-4c64-b1b1-878b674786c9", "Mail.ReadWrite", false, Privilege.High),
        new("b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send", false, Privilege.High),
        new("75359482-378d-4052-8f01-80520e7db3cd", "Files.ReadWrite.All", false, Privilege.High),
        new("741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All", false, Privilege.High),
        new("62a82d76-70ea-41e2-9197-370581804d09", "Group.ReadWrite.All", false, Privilege.High),
        new("18a4783c-866b-4cc7-a460-3d5e5662c884", "Application.ReadWrite.OwnedBy", false, Privilege.High),
        new("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", false, Privilege.Medium),
        new("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read", false, Privilege.High),
        new("01d4889c-1287-42c6-ac1f-5d1e02578ef6", "Files.Read.All", false, Privilege.Medium),
        new("df021288-bdef-4463-88db-98f22de89214", "User.Read.All", false, Privilege.Medium),
        new("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", false, Privilege.Medium),
        new("483bed4a-2ad3-4361-a73b-c83ccdbdc53c", "RoleManagement.Read.Directory", false, Privilege.Medium),

        // Delegated permissions (Scope): limited to what the signed-in user can do, but still broad.
        new("d01b97e9-cbc0-49fe-810a-750afd5527a3", "RoleManagement.ReadWrite.Directory", true, Privilege.Critical),
        new("84bccea3-f856-4a8a-967b-dbe0a3d53a64", "AppRoleAssignment.ReadWrite.All", true, Privilege.Critical),
        new("bdfbf15f-ee85-4955-8675-146e8e5296b5", "Application.ReadWrite.All", true, Privilege.High),
        new("c5366453-9fb0-48a5-a156-24f0c49a4b84", "Directory.ReadWrite.All", true, Privilege.High),
        new("0e263e50-5827-48a4-b97c-d940288653c7", "Directory.AccessAsUser.All", true, Privilege.High),
        new("024d486e-b451-40bb-833d-3e66d98c5c73", "Mail.ReadWrite", true, Privilege.Medium),
        new("e383f46e-2787-4529-855e-0e479a3ffac0", "Mail.Send", true, Privilege.Medium),
        new("570282fd-fa5c-430d-a7fd-fc8dc98a9dca", "Mail.Read", true, Privilege.Medium),
        new("06da0dbc-49e2-44d2-8312-53f166ab848a", "Directory.Read.All", true, Privilege.Medium),
        new("c79f8feb-a9db-4090-85f9-90d820caa0eb", "Application.Read.All", true, Privilege.Low),
        new("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read", true, Privilege.Low),
    ];

    private static readonly Dictionary<string, GraphPermissionInfo> ById = All.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);

    /// <summary>The permission <paramref name="requested"/> names, when it is a known Microsoft Graph permission.</summary>
    public static GraphPermissionInfo? Find(PermissionRequest requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        return string.Equals(requested.ResourceAppId, MicrosoftGraph, StringComparison.OrdinalIgnoreCase) &&
               ById.TryGetValue(requested.Id, out var known) && known.Delegated == !requested.IsApplication
            ? known
            : null;
    }

    /// <summary>The delegated Microsoft Graph permission <paramref name="scope"/> of a grant (grants name scopes by value), when known.</summary>
    public static GraphPermissionInfo? FindDelegated(string resourceAppId, string scope)
        => string.Equals(resourceAppId, MicrosoftGraph, StringComparison.OrdinalIgnoreCase)
            ? All.FirstOrDefault(p => p.Delegated && string.Equals(p.Name, scope, StringComparison.OrdinalIgnoreCase))
            : null;

    /// <summary>The delegated permission of the same name as application permission <paramref name="application"/>, if Graph has one.</summary>
    public static GraphPermissionInfo? DelegatedCounterpart(GraphPermissionInfo application)
    {
        ArgumentNullException.ThrowIfNull(application);
        return All.FirstOrDefault(p => p.Delegated && p.Name == application.Name);
    }
}
