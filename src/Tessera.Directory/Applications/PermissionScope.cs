namespace Tessera.Directory.Applications;

/// <summary>A delegated permission an API exposes (Graph's <c>permissionScope</c>), e.g. <c>Items.Read</c>.</summary>
public sealed class PermissionScope
{
    public Guid Id { get; set; }
    public required string Value { get; set; }

    /// <summary><c>User</c> (users may consent) or <c>Admin</c> (only an administrator may).</summary>
    public string Type { get; set; } = "User";
    public string? AdminConsentDisplayName { get; set; }
    public string? UserConsentDisplayName { get; set; }
    public bool IsEnabled { get; set; } = true;
}
