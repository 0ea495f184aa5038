using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>One API an application says it needs, with the permissions it needs there (Graph's <c>requiredResourceAccess</c> entry).</summary>
public sealed record RequiredResource(Guid ResourceAppId, IReadOnlyList<ResourceAccessItem> ResourceAccess);

/// <summary>One permission by id: a delegated scope (<c>Scope</c>) or an app role (<c>Role</c>).</summary>
public sealed record ResourceAccessItem(Guid Id, string Type);

/// <summary>What an API of the tenant offers: its delegated scopes, and the app roles applications may hold.</summary>
public sealed record ExposedApi(Guid AppId, string DisplayName, IReadOnlySet<Guid> ScopeIds, IReadOnlySet<Guid> ApplicationRoleIds);

/// <summary>
/// The permissions an application declares it needs on other APIs, checked when it is written: what <c>/.default</c>
/// and admin consent will grant, so each entry must name a real permission of a real API of the tenant.
/// </summary>
public static class RequiredResourceAccessRules
{
    public const string Scope = "Scope";
    public const string Role = "Role";

    /// <summary>Entra's limit on the APIs one application may list.</summary>
    public const int MostApis = 50;

    /// <summary>Entra's limit on the permissions one application may list, over all its APIs.</summary>
    public const int MostPermissions = 400;

    /// <summary>
    /// Null when every entry names an API of <paramref name="apis"/> (by app id) once, and each of its permissions once,
    /// as a scope it exposes or an app role applications may hold; else the first broken rule.
    /// </summary>
    public static TesseraError? Check(IReadOnlyList<RequiredResource> required, IReadOnlyDictionary<Guid, ExposedApi> apis)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(apis);
        var permissions = required.Sum(r => r.ResourceAccess.Count);
        if (required.Count > MostApis || permissions > MostPermissions)
        {
            return RegistrationErrors.RequiredResourceAccessTooMany.With(required.Count, permissions, MostApis, MostPermissions);
        }

        var resources = new HashSet<Guid>();
        foreach (var resource in required)
        {
            if (!resources.Add(resource.ResourceAppId))
            {
                return RegistrationErrors.RequiredResourceAccessDuplicate.With($"resourceAppId {resource.ResourceAppId:D}");
            }

            if (!apis.TryGetValue(resource.ResourceAppId, out var api))
            {
                return RegistrationErrors.RequiredResourceUnknown.With(resource.ResourceAppId);
            }

            var seen = new HashSet<(Guid, string)>();
            foreach (var access in resource.ResourceAccess)
            {
                var error = CheckAccess(api, access);
                if (error is not null)
                {
                    return error;
                }

                if (!seen.Add((access.Id, access.Type)))
                {
                    return RegistrationErrors.RequiredResourceAccessDuplicate.With($"{access.Type} {access.Id:D} of resourceAppId {api.AppId:D}");
                }
            }
        }

        return null;
    }

    private static TesseraError? CheckAccess(ExposedApi api, ResourceAccessItem access) => access.Type switch
    {
        Scope when api.ScopeIds.Contains(access.Id) => null,
        Scope => RegistrationErrors.RequiredScopeUnknown.With(access.Id, api.DisplayName, api.AppId),
        Role when api.ApplicationRoleIds.Contains(access.Id) => null,
        Role => RegistrationErrors.RequiredRoleUnknown.With(access.Id, api.DisplayName, api.AppId),
        _ => RegistrationErrors.ResourceAccessTypeUnknown.With(access.Type, access.Id),
    };
}
