namespace Tessera.Directory.Applications;

/// <summary>
/// The permissions an application needs on one API, declared in advance (Graph's <c>requiredResourceAccess</c>):
/// what <c>/.default</c> and admin consent grant.
/// </summary>
public sealed class RequiredResourceAccess
{
    /// <summary>The API's app id.</summary>
    public Guid ResourceAppId { get; set; }
    public List<ResourceAccess> ResourceAccess { get; set; } = [];
}

/// <summary>One permission: a delegated scope (<c>Scope</c>) or an app role (<c>Role</c>) of the API, by id.</summary>
public sealed class ResourceAccess
{
    public Guid Id { get; set; }

    /// <summary><c>Scope</c> or <c>Role</c>.</summary>
    public required string Type { get; set; }
}
