using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.Users;

namespace Tessera.Server.Authentication;

/// <summary>
/// When each passkey was last used to sign in. Identity's passkey record has no such field; this keeps it beside the
/// user's other authentication tokens, under a hash of the credential id (ids may be up to 1023 bytes; the token
/// table's key is 128 characters).
/// </summary>
public sealed class PasskeyUsage(UserManager<DirectoryUser> users, TimeProvider time)
{
    private const string TokenProvider = "[Tessera:PasskeyLastUsed]";

    public Task RecordAsync(DirectoryUser user, byte[] credentialId)
        => users.SetAuthenticationTokenAsync(user, TokenProvider, Key(credentialId),
            time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

    public async Task<DateTimeOffset?> LastUsedAsync(DirectoryUser user, byte[] credentialId)
        => long.TryParse(await users.GetAuthenticationTokenAsync(user, TokenProvider, Key(credentialId)), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public Task ForgetAsync(DirectoryUser user, byte[] credentialId)
        => users.RemoveAuthenticationTokenAsync(user, TokenProvider, Key(credentialId));

    /// <summary>The credential id as the pages and forms carry it.</summary>
    public static string Id(byte[] credentialId) => Base64UrlEncoder.Encode(credentialId);

    /// <summary>The credential id from a form, or null if it is not base64url of a sensible length.</summary>
    public static byte[]? ParseId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 1400)
        {
            return null;
        }

        try
        {
            var bytes = Base64UrlEncoder.DecodeBytes(id);
            return bytes.Length is > 0 and <= 1023 ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Key(byte[] credentialId) => Base64UrlEncoder.Encode(SHA256.HashData(credentialId));
}
