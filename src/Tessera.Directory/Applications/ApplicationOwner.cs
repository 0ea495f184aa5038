namespace Tessera.Directory.Applications;

/// <summary>A principal that owns (and so may manage) an application registration: a user, or an application.</summary>
public sealed class ApplicationOwner
{
    public Guid ApplicationId { get; set; }

    /// <summary>The user's object id, or the owning application's app id.</summary>
    public Guid OwnerId { get; set; }

    /// <summary><c>User</c> or <c>ServicePrincipal</c>.</summary>
    public required string OwnerType { get; set; }
}
