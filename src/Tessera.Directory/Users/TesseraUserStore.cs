using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Tessera.Directory.Storage;

namespace Tessera.Directory.Users;

/// <summary>
/// Identity's user store, except for the two second-factor secrets, which Identity stores as typed:
/// recovery codes are kept as hashes (each is PBKDF2-SHA256 of the code, salted per user; a code is checked by hashing
/// what was typed, without regard to case), and the authenticator app's shared key, which must be read back to check
/// codes, is encrypted with the server's data protection keys (themselves in the database, so every node reads it).
/// </summary>
public sealed class TesseraUserStore(TesseraDbContext context, IDataProtectionProvider protection, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<DirectoryUser, TesseraDbContext, Guid>(context, describer)
{
    private readonly IDataProtector _authenticatorKeys = protection.CreateProtector("Tessera.AuthenticatorKey.v1");

    private const int Iterations = 10_000;
    private const string IdentityProvider = "[AspNetUserStore]";
    private const string RecoveryCodesToken = "RecoveryCodes";

    public override Task ReplaceCodesAsync(DirectoryUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(recoveryCodes);
        return base.ReplaceCodesAsync(user, recoveryCodes.Select(code => Hash(user, code)), cancellationToken);
    }

    /// <summary>
    /// Not the base method: it would store the remaining codes through <see cref="ReplaceCodesAsync"/>, hashing the
    /// hashes again. The token's place is Identity's own (provider <c>[AspNetUserStore]</c>, name <c>RecoveryCodes</c>).
    /// </summary>
    public override async Task<bool> RedeemCodeAsync(DirectoryUser user, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(code);
        var stored = (await GetTokenAsync(user, IdentityProvider, RecoveryCodesToken, cancellationToken) ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries);
        var hash = Hash(user, code);
        if (!stored.Contains(hash, StringComparer.Ordinal))
        {
            return false;
        }

        await base.ReplaceCodesAsync(user, stored.Where(c => !string.Equals(c, hash, StringComparison.Ordinal)), cancellationToken);
        return true;
    }

    public override Task SetAuthenticatorKeyAsync(DirectoryUser user, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return base.SetAuthenticatorKeyAsync(user, _authenticatorKeys.Protect(key), cancellationToken);
    }

    /// <summary>The key in clear; a key that does not decrypt (keys lost, or tampered with) is no key: the app must be set up again.</summary>
    public override async Task<string?> GetAuthenticatorKeyAsync(DirectoryUser user, CancellationToken cancellationToken)
    {
        var stored = await base.GetAuthenticatorKeyAsync(user, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return _authenticatorKeys.Unprotect(stored);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static string Hash(DirectoryUser user, string code)
    {
        var salt = SHA256.HashData(Encoding.UTF8.GetBytes("tessera-recovery-code:" + user.Id.ToString("D")));
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant()), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return Convert.ToBase64String(hash);
    }
}
