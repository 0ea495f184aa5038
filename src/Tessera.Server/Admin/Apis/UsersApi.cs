using System.Linq.Expressions;
using System.Net.Mail;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Tessera.Directory.Sessions;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Registrations;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;
using Tessera.Server.Protection;
using Tessera.Server.Security;
using Tessera.Server.Sessions;
using Tessera.Server.SharedSignals;
using Tessera.Policy.SharedSignals;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/users</c>: the people of the tenant (Graph's shapes and <c>revokeSignInSessions</c>). ASP.NET Core Identity's
/// <c>UserManager</c> checks names and passwords and rotates stamps; the change and its audit entry are then saved
/// together by <see cref="AdminWrites"/>. A new password, a disabled account or a revocation ends the user's sessions:
/// the SSO cookie at its next request, refresh tokens at once.
/// </summary>
public static class UsersApi
{
    private const string Category = "UserManagement";
    private const int LongestPassword = 1024; // what the sign-in page accepts

    private static readonly string[] ReadOnlyOnCreate = ["id", "createdDateTime"];
    private static readonly string[] ReadOnlyOnUpdate = ["id", "createdDateTime", "userPrincipalName"];

    // The audit log says that the password changed, never what it is.
    private static readonly ModifiedProperty PasswordChanged = new("passwordProfile.password", null, "(changed)");

    /// <summary>The user properties <c>$filter</c> takes; also used for group members.</summary>
    public static readonly IReadOnlyDictionary<string, Expression<Func<DirectoryUser, object?>>> Filterable =
        new Dictionary<string, Expression<Func<DirectoryUser, object?>>>(StringComparer.Ordinal)
        {
            ["id"] = u => u.Id,
            ["userPrincipalName"] = u => u.UserName,
            ["displayName"] = u => u.DisplayName,
            ["accountEnabled"] = u => u.AccountEnabled,
            ["mail"] = u => u.Email,
        };

    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users");
        users.MapGet("/", ListAsync).RequirePermission(AdminPermissions.UserReadAll);
        users.MapPost("/", CreateAsync).RequirePermission(AdminPermissions.UserReadWriteAll);
        users.MapGet("/{id}", GetAsync).RequirePermission(AdminPermissions.UserReadAll);
        users.MapPatch("/{id}", UpdateAsync).RequirePermission(AdminPermissions.UserReadWriteAll);
        users.MapDelete("/{id}", DeleteAsync).RequirePermission(AdminPermissions.UserReadWriteAll);
        users.MapPost("/{id}/revokeSignInSessions", RevokeSignInSessionsAsync).RequirePermission(AdminPermissions.UserReadWriteAll);
        UserMembershipsApi.Map(users);
        SignInSessionsApi.Map(users);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext http, TesseraDbContext db)
    {
        var (query, error) = GraphQuery<DirectoryUser>.Parse(http.Request, Filterable);
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var inTenant = db.Users.AsNoTracking().Where(u => u.TenantId == http.Caller().TenantId);
        return await query!.RespondAsync(http.Request, inTenant, u => u.Id, UserResource.From, http.RequestAborted);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users)
    {
        var user = await Find(db.Users.AsNoTracking(), users, http.Caller().TenantId, id).FirstOrDefaultAsync(http.RequestAborted);
        if (user is null)
        {
            return GraphResults.NotFound(id);
        }

        http.Response.Headers.ETag = GraphResults.ETag(UserResource.Stamp(user));
        return Results.Json(UserResource.From(user));
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, IUserStore<DirectoryUser> store, AuditLog audit, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var readOnly = ReadOnlyOnCreate.FirstOrDefault(json.ContainsKey);
        if (readOnly is not null)
        {
            return GraphResults.BadRequest(RegistrationErrors.ReadOnlyProperty.With(readOnly));
        }

        var displayName = ApiBodies.OptionalString(json, "displayName", 256, out var error);
        var userName = error is null ? ApiBodies.OptionalString(json, "userPrincipalName", 256, out error) : null;
        var enabled = error is null ? ApiBodies.OptionalBool(json, "accountEnabled", out error) : null;
        var mail = error is null ? ReadMail(json, out error) : null;
        var password = error is null ? ReadPassword(json, out error) : null;
        error ??= string.IsNullOrWhiteSpace(displayName) ? RegistrationErrors.DisplayNameRequired
            : string.IsNullOrWhiteSpace(userName) ? RegistrationErrors.PropertyRequired.With("userPrincipalName")
            : password is null ? RegistrationErrors.PropertyRequired.With("passwordProfile.password")
            : null;
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var (normalizedName, nameError) = await CheckUserPrincipalNameAsync(db, users, caller.TenantId, userName!.Trim(), http.RequestAborted);
        if (nameError is not null)
        {
            return GraphResults.BadRequest(nameError);
        }

        var user = new DirectoryUser
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            UserName = normalizedName,
            Email = mail,
            DisplayName = displayName!.Trim(),
            AccountEnabled = enabled ?? true,
            CreatedDateTime = time.GetUtcNow(),
        };
        SaveThroughAdminWrites(store);
        var created = await users.CreateAsync(user, password!);
        if (!created.Succeeded)
        {
            return Rejected(created, normalizedName!);
        }

        await audit.RecordAsync(caller, Category, "Add user", new AuditTarget(user.Id.ToString(), "User", user.UserName,
        [
            new ModifiedProperty("displayName", null, user.DisplayName),
            new ModifiedProperty("userPrincipalName", null, user.UserName),
            new ModifiedProperty("accountEnabled", null, user.AccountEnabled.ToString()),
            new ModifiedProperty("mail", null, user.Email),
            PasswordChanged,
        ]), http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, () =>
        {
            http.Response.Headers.ETag = GraphResults.ETag(UserResource.Stamp(user));
            return Task.FromResult(Results.Json(UserResource.From(user), statusCode: StatusCodes.Status201Created));
        });
    }

    private static async Task<IResult> UpdateAsync(
        string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, IUserStore<DirectoryUser> store,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, AuditLog audit, SignInSessionStore sessions,
        SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var (user, denied) = await LoadForWriteAsync(db, users, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var readOnly = ReadOnlyOnUpdate.FirstOrDefault(json.ContainsKey);
        if (readOnly is not null)
        {
            return GraphResults.BadRequest(RegistrationErrors.ReadOnlyProperty.With(readOnly == "userPrincipalName" ? "userPrincipalName (renaming is not supported)" : readOnly));
        }

        var displayName = ApiBodies.OptionalString(json, "displayName", 256, out var error);
        var enabled = error is null ? ApiBodies.OptionalBool(json, "accountEnabled", out error) : null;
        var mail = error is null ? ReadMail(json, out error) : null;
        var password = error is null ? ReadPassword(json, out error) : null;
        if (error is null && displayName is not null && string.IsNullOrWhiteSpace(displayName))
        {
            error = RegistrationErrors.DisplayNameRequired;
        }

        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var disabling = enabled == false && user!.AccountEnabled;
        if (password is not null || (enabled is { } value && value != user!.AccountEnabled))
        {
            if (await AdminRoleHolders.RefuseTakeoverAsync(db, caller, user!.Id, user.UserName!, http.RequestAborted) is { } refused)
            {
                return refused;
            }
        }

        if (disabling && await AdminRoleHolders.RefuseLosingLastGlobalAdministratorAsync(db, caller, user!.Id, http.RequestAborted) is { } lastAdministrator)
        {
            return lastAdministrator;
        }

        if (password is not null && await ValidatePasswordAsync(users, user!, password) is { } weak)
        {
            return GraphResults.BadRequest(weak);
        }

        SaveThroughAdminWrites(store);
        var modified = new List<ModifiedProperty>();
        if (displayName is not null)
        {
            ModifiedProperty.Track(modified, "displayName", user!.DisplayName, displayName.Trim());
            user.DisplayName = displayName.Trim();
        }

        if (mail is not null)
        {
            ModifiedProperty.Track(modified, "mail", user!.Email, mail);
            user.Email = mail;
        }

        if (enabled is { } accountEnabled)
        {
            ModifiedProperty.Track(modified, "accountEnabled", user!.AccountEnabled.ToString(), accountEnabled.ToString());
            user.AccountEnabled = accountEnabled;
        }

        // Each step re-validates the user; removing and adding the password rotate the security stamp (the SSO cookie ends).
        var loadedVersion = user!.ConcurrencyStamp;
        var result = IdentityResult.Success;
        if (password is not null)
        {
            result = await users.RemovePasswordAsync(user);
            result = result.Succeeded ? await users.AddPasswordAsync(user, password) : result;
            modified.Add(PasswordChanged);
        }

        result = result.Succeeded && disabling ? await users.UpdateSecurityStampAsync(user) : result;
        result = result.Succeeded ? await users.UpdateAsync(user) : result;
        if (!result.Succeeded)
        {
            return Rejected(result, user.UserName!);
        }

        SaveAgainstVersion(db, user, loadedVersion);
        if (disabling || password is not null)
        {
            // The records say why the sessions ended; the new stamp has already doomed their cookies.
            await sessions.EndAllTrackedAsync(user.Id, disabling ? SessionEndReasons.AccountDisabled : SessionEndReasons.PasswordChanged, http.RequestAborted);
        }

        if (disabling)
        {
            await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.AccountDisabled, user.Id, InitiatingEntities.Admin, http.RequestAborted);
        }

        if (password is not null)
        {
            await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.PasswordChanged, user.Id, InitiatingEntities.Admin, http.RequestAborted);
        }

        await audit.RecordAsync(caller, Category, "Update user", new AuditTarget(user!.Id.ToString(), "User", user.UserName, modified), http.RequestAborted);
        var endSessions = disabling || password is not null;
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            if (endSessions)
            {
                await SignInSessions.RevokeAsync(user.Id, authorizations, tokens, http.RequestAborted);
            }

            if (password is not null)
            {
                // A new password set by an administrator is how a locked-out person gets back in at once.
                await SignInDefence.ClearAsync(db, user.Id, http.RequestAborted);
            }

            return Results.NoContent();
        });
    }

    private static async Task<IResult> DeleteAsync(
        string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, IUserStore<DirectoryUser> store,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, AuditLog audit, SignInSessionStore sessions,
        SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var (user, denied) = await LoadForWriteAsync(db, users, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        var refused = await AdminRoleHolders.RefuseTakeoverAsync(db, caller, user!.Id, user.UserName!, http.RequestAborted)
                      ?? await AdminRoleHolders.RefuseLosingLastGlobalAdministratorAsync(db, caller, user.Id, http.RequestAborted);
        if (refused is not null)
        {
            return refused;
        }

        // What refers to the user by object id goes with it (the database has no foreign keys for these).
        var cancellationToken = http.RequestAborted;
        db.GroupMembers.RemoveRange(await db.GroupMembers.Where(m => m.MemberId == user.Id).ToListAsync(cancellationToken));
        db.DirectoryRoleAssignments.RemoveRange(await db.DirectoryRoleAssignments.Where(a => a.TenantId == caller.TenantId && a.PrincipalId == user.Id).ToListAsync(cancellationToken));
        db.AppRoleAssignments.RemoveRange(await db.AppRoleAssignments.Where(a => a.TenantId == caller.TenantId && a.PrincipalId == user.Id && a.PrincipalType == "User").ToListAsync(cancellationToken));
        db.ApplicationOwners.RemoveRange(await db.ApplicationOwners.Where(o => o.OwnerId == user.Id && o.OwnerType == "User").ToListAsync(cancellationToken));

        await sessions.EndAllTrackedAsync(user.Id, SessionEndReasons.AccountDeleted, cancellationToken);
        await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.AccountDeleted, user.Id, InitiatingEntities.Admin, cancellationToken);

        SaveThroughAdminWrites(store);
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            return Rejected(deleted, user.UserName!);
        }

        await audit.RecordAsync(caller, Category, "Delete user", new AuditTarget(user.Id.ToString(), "User", user.UserName), cancellationToken);
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            await SignInSessions.RevokeAsync(user.Id, authorizations, tokens, cancellationToken);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> RevokeSignInSessionsAsync(
        string id, HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, IUserStore<DirectoryUser> store,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, AuditLog audit, TimeProvider time, SignInSessionStore sessions,
        SecurityEventOutbox signals)
    {
        var caller = http.Caller();
        var (user, denied) = await LoadForWriteAsync(db, users, caller, id, http);
        if (denied is not null)
        {
            return denied;
        }

        SaveThroughAdminWrites(store);
        var loadedVersion = user!.ConcurrencyStamp;
        var rotated = await users.UpdateSecurityStampAsync(user);
        if (!rotated.Succeeded)
        {
            return Rejected(rotated, user.UserName!);
        }

        SaveAgainstVersion(db, user, loadedVersion);
        await sessions.EndAllTrackedAsync(user.Id, SessionEndReasons.SessionsRevoked, http.RequestAborted);
        await signals.QueueAsync(caller.TenantId, DirectoryChangeKind.SessionsRevoked, user.Id, InitiatingEntities.Admin, http.RequestAborted);

        await audit.RecordAsync(caller, Category, "Revoke user sign-in sessions", new AuditTarget(user!.Id.ToString(), "User", user.UserName,
            [new ModifiedProperty("signInSessionsValidFromDateTime", null, time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture))]),
            http.RequestAborted);
        return await AdminWrites.SaveAsync(db, http, async () =>
        {
            await SignInSessions.RevokeAsync(user.Id, authorizations, tokens, http.RequestAborted);
            return Results.Json(new Dictionary<string, object?>
            {
                ["@odata.context"] = GraphLinks.Context(http.Request, "Edm.Boolean"),
                ["value"] = true,
            });
        });
    }

    /// <summary>A user of the caller's tenant by object id, or by user principal name (case-insensitive, as Identity compares it).</summary>
    internal static IQueryable<DirectoryUser> Find(IQueryable<DirectoryUser> source, UserManager<DirectoryUser> users, Guid tenantId, string id)
    {
        if (Guid.TryParse(id, out var objectId))
        {
            return source.Where(u => u.TenantId == tenantId && u.Id == objectId);
        }

        var normalized = users.NormalizeName(id);
        return source.Where(u => u.TenantId == tenantId && u.NormalizedUserName == normalized);
    }

    /// <summary>Loads a user for a change: tracked, in the caller's tenant, and still the version If-Match names.</summary>
    private static async Task<(DirectoryUser? User, IResult? Denied)> LoadForWriteAsync(
        TesseraDbContext db, UserManager<DirectoryUser> users, AdminCaller caller, string id, HttpContext http)
    {
        var user = await Find(db.Users, users, caller.TenantId, id).FirstOrDefaultAsync(http.RequestAborted);
        if (user is null)
        {
            return (null, GraphResults.NotFound(id));
        }

        return GraphResults.IfMatchAllows(http.Request, UserResource.Stamp(user))
            ? (user, null)
            : (null, GraphResults.Error(StatusCodes.Status412PreconditionFailed, AdminErrors.PreconditionFailed));
    }

    /// <summary>
    /// <c>UserManager</c> saves after every call by default. Here it only validates and stages: the change is saved once,
    /// with its audit entry, by <see cref="AdminWrites.SaveAsync"/> (the store and the endpoint share the request's DbContext).
    /// </summary>
    private static void SaveThroughAdminWrites(IUserStore<DirectoryUser> store)
    {
        if (store is not UserOnlyStore<DirectoryUser, TesseraDbContext, Guid, IdentityUserClaim<Guid>, IdentityUserLogin<Guid>, IdentityUserToken<Guid>, IdentityUserPasskey<Guid>> efStore)
        {
            throw new InvalidOperationException($"The admin API expects Identity's EF Core user store, not {store.GetType().Name}.");
        }

        efStore.AutoSaveChanges = false;
    }

    /// <summary>
    /// Makes the save check the version that was loaded (and matched If-Match): every <c>UserManager</c> update re-attaches
    /// the user and rotates its stamp, after which EF Core would take the previous step's stamp as the original.
    /// </summary>
    private static void SaveAgainstVersion(TesseraDbContext db, DirectoryUser user, string? loadedVersion)
        => db.Entry(user).Property(u => u.ConcurrencyStamp).OriginalValue = loadedVersion;

    /// <summary>Checks a new user principal name: name@domain, the domain one of the tenant's verified domains, not taken.</summary>
    private static async Task<(string? UserName, TesseraError? Error)> CheckUserPrincipalNameAsync(
        TesseraDbContext db, UserManager<DirectoryUser> users, Guid tenantId, string userName, CancellationToken cancellationToken)
    {
        var at = userName.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != userName.LastIndexOf('@') || at == userName.Length - 1)
        {
            return (null, RegistrationErrors.UserNameInvalid.With(userName));
        }

        var domainName = userName[(at + 1)..].ToLowerInvariant();
        var domain = await db.TenantDomains.AsNoTracking().FirstOrDefaultAsync(d => d.Name == domainName && d.TenantId == tenantId, cancellationToken);
        if (domain is null)
        {
            return (null, RegistrationErrors.UserNameInvalid.With(userName));
        }

        if (!domain.IsVerified)
        {
            return (null, RegistrationErrors.UserDomainNotVerified.With(domainName));
        }

        var normalized = $"{userName[..at]}@{domainName}";
        return await users.FindByNameAsync(normalized) is null
            ? (normalized, null)
            : (null, RegistrationErrors.UserNameTaken.With(normalized));
    }

    private static string? ReadMail(JsonObject json, out TesseraError? error)
    {
        var mail = ApiBodies.OptionalString(json, "mail", 256, out error);
        if (mail is not null && error is null &&
            (!MailAddress.TryCreate(mail, out var address) || !string.Equals(address.Address, mail, StringComparison.Ordinal) || !string.IsNullOrEmpty(address.DisplayName)))
        {
            error = RegistrationErrors.MailInvalid.With(mail);
        }

        return error is null ? mail : null;
    }

    /// <summary><c>passwordProfile.password</c>, or null when absent.</summary>
    private static string? ReadPassword(JsonObject json, out TesseraError? error)
    {
        error = null;
        if (!json.TryGetPropertyValue("passwordProfile", out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonObject profile)
        {
            error = RegistrationErrors.Malformed.With("'passwordProfile' must be an object.");
            return null;
        }

        if (ApiBodies.OptionalBool(profile, "forceChangePasswordNextSignIn", out error) == true)
        {
            error = RegistrationErrors.ForceChangePasswordUnsupported;
        }

        if (error is not null)
        {
            return null;
        }

        var password = ApiBodies.OptionalString(profile, "password", LongestPassword, out error);
        if (error is null && password is null)
        {
            error = RegistrationErrors.PropertyRequired.With("passwordProfile.password");
        }

        return error is null ? password : null;
    }

    /// <summary>Runs Identity's password validators before anything is changed, so a rejected password changes nothing.</summary>
    private static async Task<TesseraError?> ValidatePasswordAsync(UserManager<DirectoryUser> users, DirectoryUser user, string password)
    {
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors);
        }

        return errors.Count == 0 ? null
            : TenantPasswordValidator.RefusalOf(errors, "passwordProfile.password")
              ?? RegistrationErrors.PasswordRejected.With(string.Join(" ", errors.Select(e => e.Description)));
    }

    /// <summary>Identity's refusal as the admin API's numbered error.</summary>
    private static IResult Rejected(IdentityResult result, string userName)
    {
        var errors = result.Errors.ToList();
        if (errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure)))
        {
            return GraphResults.Error(StatusCodes.Status409Conflict, AdminErrors.Conflict);
        }

        var password = errors.Where(e => e.Code.StartsWith("Password", StringComparison.Ordinal)).ToList();
        return GraphResults.BadRequest(
            TenantPasswordValidator.RefusalOf(password, "passwordProfile.password") is { } refused ? refused
            : password.Count > 0 ? RegistrationErrors.PasswordRejected.With(string.Join(" ", password.Select(e => e.Description)))
            : errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateUserName)) ? RegistrationErrors.UserNameTaken.With(userName)
            : errors.Any(e => e.Code is nameof(IdentityErrorDescriber.InvalidUserName)) ? RegistrationErrors.UserNameInvalid.With(userName)
            : RegistrationErrors.Malformed.With(string.Join(" ", errors.Select(e => e.Description))));
    }

}
