namespace Tessera.Policy.Passwords;

/// <summary>
/// What a password is checked against besides the built-in lists: the words that name the organisation and the person,
/// and the organisation's own banned list.
/// </summary>
/// <param name="OrganisationNames">The tenant's display name and domain names.</param>
/// <param name="PersonNames">The user's user name and display name.</param>
/// <param name="BannedWords">The tenant's custom banned list; checked only when <paramref name="EnforceBannedWords"/>.</param>
/// <param name="EnforceBannedWords">Whether the tenant enforces its custom banned list.</param>
public sealed record PasswordContext(
    IReadOnlyList<string> OrganisationNames,
    IReadOnlyList<string> PersonNames,
    IReadOnlyList<string> BannedWords,
    bool EnforceBannedWords)
{
    public static readonly PasswordContext None = new([], [], [], false);
}
