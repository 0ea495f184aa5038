namespace Tessera.Directory.Applications;

/// <summary>A role an API defines (Graph's <c>appRole</c>); assigned to users, groups or applications.</summary>
public sealed class AppRole
{
    public Guid Id { get; set; }
    public required string Value { get; set; }
    public string? DisplayName { get; set; }

    /// <summary><c>User</c> and/or <c>Application</c>.</summary>
    public List<string> AllowedMemberTypes { get; set; } = [];
    public bool IsEnabled { get; set; } = true;
}
