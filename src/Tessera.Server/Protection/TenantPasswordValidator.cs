using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Errors;
using Tessera.Policy.Passwords;

namespace Tessera.Server.Protection;

/// <summary>
/// ASP.NET Core Identity's password check, so that every place a password is set (the admin API's user creation and
/// password reset, the CLI through it, the tests' directory set-up) applies <see cref="PasswordRules"/> with the
/// user's tenant: its name and domains, and its banned list.
/// </summary>
public sealed class TenantPasswordValidator(TesseraDbContext db) : IPasswordValidator<DirectoryUser>
{
    /// <summary>The prefix of the <see cref="IdentityError.Code"/> of a refusal; the rest is the Tessera code.</summary>
    public const string CodePrefix = "Password:";

    public async Task<IdentityResult> ValidateAsync(UserManager<DirectoryUser> manager, DirectoryUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == user.TenantId)
            .Select(t => new { t.DisplayName, t.BannedPasswords, t.EnforceBannedPasswords, Domains = t.Domains.Select(d => d.Name).ToList() })
            .FirstOrDefaultAsync();
        var context = new PasswordContext(
            OrganisationNames: tenant is null ? [] : [tenant.DisplayName, .. tenant.Domains.Select(DomainName)],
            PersonNames: [LocalPart(user.UserName), user.DisplayName ?? string.Empty],
            BannedWords: tenant?.BannedPasswords ?? [],
            EnforceBannedWords: tenant?.EnforceBannedPasswords ?? false);
        var error = PasswordRules.Check(password, context);
        return error is null
            ? IdentityResult.Success
            : IdentityResult.Failed(new IdentityError { Code = CodePrefix + error.Code, Description = error.Description });
    }

    /// <summary>The refusal among Identity's errors as Tessera's numbered error for <paramref name="field"/>, if there is one.</summary>
    public static TesseraError? RefusalOf(IEnumerable<IdentityError> errors, string field)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var refusal = errors.FirstOrDefault(e => e.Code.StartsWith(CodePrefix, StringComparison.Ordinal));
        if (refusal is null)
        {
            return null;
        }

        var code = refusal.Code[CodePrefix.Length..];
        var sentence = refusal.Description.StartsWith(code + ": ", StringComparison.Ordinal) ? refusal.Description[(code.Length + 2)..] : refusal.Description;
        return new TesseraError(code, "Request_BadRequest", $"{field}: {sentence}");
    }

    /// <summary>The labels of a domain that name the organisation: all but the top-level one (contoso of contoso.example).</summary>
    private static string DomainName(string domain)
    {
        var last = domain.LastIndexOf('.');
        return last > 0 ? domain[..last] : domain;
    }

    private static string LocalPart(string? userName)
    {
        var at = userName?.LastIndexOf('@') ?? -1;
        return at > 0 ? userName![..at] : userName ?? string.Empty;
    }
}
