using System.Globalization;
using Microsoft.AspNetCore.Identity;
using QRCoder;
using Tessera.Directory.Users;

namespace Tessera.Server.Authentication;

/// <summary>
/// The authenticator app (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30 seconds) through Identity's authenticator token
/// provider, plus what Identity leaves out: a code is accepted once. Identity accepts any code of the current time
/// step or the ones either side, again and again; here each accepted code is remembered for as long as it could be
/// valid (three steps), and a second use is refused.
/// </summary>
public sealed class AuthenticatorApp(UserManager<DirectoryUser> users, TimeProvider time)
{
    private const string TokenProvider = "[Tessera]";
    private const string UsedCodesToken = "UsedAuthenticatorCodes";
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(120);

    /// <summary>The shared key of the user's app, made if there is none yet (base32, as apps expect it).</summary>
    public async Task<string> KeyAsync(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        return key!;
    }

    /// <summary>The <c>otpauth://</c> URI an app reads from the QR code.</summary>
    public static string EnrolmentUri(string issuer, string account, string key)
    {
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(account);
        return $"otpauth://totp/{label}?secret={key}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period=30";
    }

    /// <summary>The QR code of <paramref name="uri"/> as a PNG <c>data:</c> URI (allowed by the pages' content security policy).</summary>
    public static string QrCodeDataUri(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(5);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>The key split in groups of four, easier to type.</summary>
    public static string Readable(string key)
        => string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - (i * 4))))).ToLowerInvariant();

    /// <summary>Digits only, spaces and hyphens removed; null if it cannot be a code.</summary>
    public static string? Normalise(string? code)
    {
        var digits = code?.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        return digits is { Length: 6 } && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    /// <summary>Whether <paramref name="code"/> is a current code of the user's app, not used before; if so it is used up.</summary>
    public async Task<bool> VerifyAsync(DirectoryUser user, string? code)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (Normalise(code) is not { } digits)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var used = ParseUsed(await users.GetAuthenticationTokenAsync(user, TokenProvider, UsedCodesToken))
            .Where(u => now - u.At < CodeLifetime)
            .ToList();
        if (used.Any(u => u.Code == digits) ||
            !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, digits))
        {
            return false;
        }

        // Saved with the user's concurrency stamp: of two requests racing with the same code, one fails here.
        used.Add((digits, now));
        var saved = await users.SetAuthenticationTokenAsync(user, TokenProvider, UsedCodesToken,
            string.Join(';', used.Select(u => u.Code + "@" + u.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))));
        return saved.Succeeded;
    }

    private static IEnumerable<(string Code, DateTimeOffset At)> ParseUsed(string? stored)
    {
        foreach (var entry in (stored ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('@');
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                yield return (parts[0], DateTimeOffset.FromUnixTimeSeconds(seconds));
            }
        }
    }
}
