namespace Tessera.Directory.Groups;

/// <summary>A security group (Graph's <c>group</c>); its members are users or other principals.</summary>
public sealed class Group
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string DisplayName { get; set; }
    public string? Description { get; set; }
    public string? MailNickname { get; set; }
    public bool SecurityEnabled { get; set; } = true;
    public DateTimeOffset CreatedDateTime { get; set; }
    public List<GroupMember> Members { get; set; } = [];
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

/// <summary>Membership of a principal (a user's object id) in a group.</summary>
public sealed class GroupMember
{
    public Guid GroupId { get; set; }
    public Guid MemberId { get; set; }
}
