namespace Tessera.Server.Pages;

/// <summary>A requested scope in plain words, as the consent and device sign-in pages show it.</summary>
public static class PermissionWords
{
    private static readonly Dictionary<string, string> OpenIdScopes = new(StringComparer.Ordinal)
    {
        ["openid"] = "Sign you in",
        ["profile"] = "See your name and user name",
        ["email"] = "See your email address",
        ["offline_access"] = "Keep access to what you allow while you are not using it",
    };

    public static string Describe(string scope) => OpenIdScopes.GetValueOrDefault(scope) ?? $"Use {scope} for you";
}
