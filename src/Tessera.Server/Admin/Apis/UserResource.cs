using Tessera.Directory.Users;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// A person as the admin API shows it: Microsoft Graph's <c>user</c> resource. Password hashes, security stamps and
/// lockout counters never leave the server.
/// </summary>
public static class UserResource
{
    public static object From(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new Dictionary<string, object?>
        {
            ["id"] = user.Id,
            ["displayName"] = user.DisplayName,
            ["userPrincipalName"] = user.UserName,
            ["mail"] = user.Email,
            ["accountEnabled"] = user.AccountEnabled,
            ["createdDateTime"] = user.CreatedDateTime,
            ["@odata.etag"] = GraphResults.ETag(Stamp(user)),
        };
    }

    /// <summary>The user as a member or principal in another resource's collection.</summary>
    public static object AsDirectoryObject(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var resource = (Dictionary<string, object?>)From(user);
        resource.Remove("@odata.etag");
        resource["@odata.type"] = "#microsoft.graph.user";
        return resource;
    }

    /// <summary>
    /// The version of the user: Identity's concurrency stamp, which <c>UserManager</c> rotates on every update and EF Core
    /// checks on save. Identity writes it as a GUID.
    /// </summary>
    public static Guid Stamp(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.ConcurrencyStamp, out var stamp) ? stamp : Guid.Empty;
    }
}
