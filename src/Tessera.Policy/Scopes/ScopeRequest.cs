using Tessera.Policy.Errors;

namespace Tessera.Policy.Scopes;

/// <summary>
/// The scopes of a request split into OpenID Connect scopes and the permissions of exactly one API.
/// An API is named by its identifier URI or app id: <c>api://orders/Orders.Read</c>, <c>{appId}/.default</c>.
/// </summary>
public sealed record ScopeRequest(
    IReadOnlyList<string> OpenIdScopes,
    string? Resource,
    IReadOnlyList<string> ResourceScopes,
    bool IsDefault)
{
    public const string DefaultScope = ".default";

    /// <summary>The OpenID Connect scopes that name no API.</summary>
    public static readonly IReadOnlySet<string> OpenIdConnectScopes =
        new HashSet<string>(StringComparer.Ordinal) { "openid", "profile", "email", "offline_access" };

    /// <summary>Splits <paramref name="scopes"/>; an error when they name several APIs or mix '/.default' with other scopes.</summary>
    public static ScopeParseResult Parse(IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var openId = new List<string>();
        var resourceScopes = new List<string>();
        var resources = new List<string>();
        var isDefault = false;

        foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
        {
            if (OpenIdConnectScopes.Contains(scope))
            {
                openId.Add(scope);
                continue;
            }

            var slash = scope.LastIndexOf('/');
            if (slash <= 0 || slash == scope.Length - 1)
            {
                return new ScopeParseResult(null, TesseraErrors.ResourceUnknown.With(scope));
            }

            var resource = scope[..slash];
            var name = scope[(slash + 1)..];
            if (!resources.Contains(resource, StringComparer.Ordinal))
            {
                resources.Add(resource);
            }

            if (name == DefaultScope)
            {
                isDefault = true;
            }
            else
            {
                resourceScopes.Add(name);
            }
        }

        if (resources.Count > 1)
        {
            return new ScopeParseResult(null, TesseraErrors.SeveralResources.With(string.Join(", ", resources)));
        }

        if (isDefault && resourceScopes.Count > 0)
        {
            return new ScopeParseResult(null, TesseraErrors.DefaultScopeMixed.With(resources[0]));
        }

        return new ScopeParseResult(new ScopeRequest(openId, resources.FirstOrDefault(), resourceScopes, isDefault), null);
    }
}

/// <summary>Either a parsed request or the error that explains why it cannot be.</summary>
public sealed record ScopeParseResult(ScopeRequest? Request, TesseraError? Error);
