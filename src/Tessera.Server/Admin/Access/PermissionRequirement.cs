namespace Tessera.Server.Admin.Access;

/// <summary>Endpoint metadata: the caller needs any one of these permissions. Every admin endpoint carries one.</summary>
public sealed record PermissionRequirement(IReadOnlyList<string> AnyOf);

public static class RequiredPermissionExtensions
{
    /// <summary>Declares the least permission the endpoint needs (any one of <paramref name="anyOf"/>).</summary>
    public static RouteHandlerBuilder RequirePermission(this RouteHandlerBuilder builder, params string[] anyOf)
        => builder.WithMetadata(new PermissionRequirement(anyOf));
}
