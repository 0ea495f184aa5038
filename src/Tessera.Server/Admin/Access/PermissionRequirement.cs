namespace Tessera.Server.Admin.Access;

/// <summary>
/// Endpoint metadata: the caller needs any one of <see cref="AnyOf"/> (when it lists any) and every one of
/// <see cref="AllOf"/>. Every admin endpoint carries one. <see cref="AllOf"/> is for reads that span two families, as
/// Graph asks "User.Read.All and Group.Read.All" for a user's groups; a permission that implies all of them
/// (Directory.Read.All) is then enough alone.
/// </summary>
public sealed record PermissionRequirement(IReadOnlyList<string> AnyOf, IReadOnlyList<string> AllOf)
{
    public PermissionRequirement(IReadOnlyList<string> anyOf)
        : this(anyOf, [])
    {
    }

    /// <summary>Whether a caller for whom <paramref name="holds"/> says which permissions it has may call the endpoint.</summary>
    public bool IsMetBy(Func<string, bool> holds)
    {
        ArgumentNullException.ThrowIfNull(holds);
        return (AnyOf.Count == 0 || AnyOf.Any(holds)) && AllOf.All(holds);
    }

    /// <summary>The permissions in words: <c>A</c>, <c>one of A, B</c>, or <c>A and B</c>.</summary>
    public string Describe()
    {
        var anyOf = AnyOf.Count switch
        {
            0 => null,
            1 => AnyOf[0],
            _ => "one of " + string.Join(", ", AnyOf),
        };
        var allOf = AllOf.Count == 0 ? null : string.Join(" and ", AllOf);
        return anyOf is null ? allOf ?? string.Empty : allOf is null ? anyOf : $"{anyOf}, and {allOf}";
    }
}

public static class RequiredPermissionExtensions
{
    /// <summary>Declares the least permission the endpoint needs (any one of <paramref name="anyOf"/>).</summary>
    public static RouteHandlerBuilder RequirePermission(this RouteHandlerBuilder builder, params string[] anyOf)
        => builder.WithMetadata(new PermissionRequirement(anyOf));

    /// <summary>Declares permissions the endpoint needs together (each of <paramref name="allOf"/>), as Graph's "A and B".</summary>
    public static RouteHandlerBuilder RequireAllPermissions(this RouteHandlerBuilder builder, params string[] allOf)
        => builder.WithMetadata(new PermissionRequirement([], allOf));
}
