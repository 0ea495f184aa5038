using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Directory.Audit;
using Tessera.Directory.Protection;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.SignIns;
using Tessera.Server.Hosting;

namespace Tessera.Server.Protection;

/// <summary>What the sign-in page may do before it checks a password: go on, or refuse (and why, for the log only).</summary>
public sealed record DefenceVerdict(bool FamiliarSource, DefenceRefusal Refusal);

public enum DefenceRefusal
{
    None,

    /// <summary>Smart lockout: too many wrong passwords from this kind of source.</summary>
    Locked,

    /// <summary>The source was detected spraying passwords and is not familiar to this account.</summary>
    BlockedSource,
}

/// <summary>
/// Smart lockout and password-spray defence for the sign-in page, with all state in the database so that every node
/// of a deployment counts the same failures. A source is familiar to an account when the account signed in
/// successfully from it (its IPv4 /24 or IPv6 /64) within <see cref="SignInProtectionOptions.FamiliarSourcePeriod"/>;
/// failures are counted for familiar and unfamiliar sources apart, so an attacker elsewhere locks out only unfamiliar
/// sources. Identity's own lockout (<c>LockoutEnd</c>) is left to administrators: the page never sets it, and it still
/// refuses sign-in when they do.
/// </summary>
public sealed partial class SignInDefence(TesseraDbContext db, TimeProvider time, IOptionsMonitor<TesseraOptions> options, ILogger<SignInDefence> logger)
{
    private SignInProtectionOptions Settings => options.CurrentValue.SignInProtection;

    /// <summary>Whether <paramref name="user"/> may try a password from <paramref name="source"/> now.</summary>
    public async Task<DefenceVerdict> CheckAsync(DirectoryUser user, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = time.GetUtcNow();
        var familiar = await IsFamiliarAsync(user.Id, source, now, cancellationToken);
        if (!familiar && await IsBlockedAsync(user.TenantId, source, now, cancellationToken))
        {
            return new DefenceVerdict(familiar, DefenceRefusal.BlockedSource);
        }

        var state = await db.AccountLockouts.AsNoTracking()
            .FirstOrDefaultAsync(l => l.UserId == user.Id && l.FamiliarSource == familiar, cancellationToken);
        return new DefenceVerdict(familiar, state is not null && SmartLockout.IsLockedOut(ToState(state), now) ? DefenceRefusal.Locked : DefenceRefusal.None);
    }

    /// <summary>Whether a source with nobody behind the typed name may try: only when it is not blocked for spraying.</summary>
    public Task<bool> IsBlockedAsync(Guid tenantId, string source, CancellationToken cancellationToken)
        => IsBlockedAsync(tenantId, source, time.GetUtcNow(), cancellationToken);

    /// <summary>Counts a wrong password; returns whether the account is now locked for this kind of source.</summary>
    public async Task<bool> FailedAsync(DirectoryUser user, bool familiar, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        var hash = FailureHash(user.Id, password);
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == user.TenantId)
            .Select(t => new { t.LockoutThreshold, t.LockoutDurationSeconds }).FirstAsync(cancellationToken);
        var settings = new LockoutSettings(tenant.LockoutThreshold, TimeSpan.FromSeconds(tenant.LockoutDurationSeconds));

        // Optimistic concurrency: another node counting a failure of the same account at the same moment wins, and this one counts again.
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var stored = await db.AccountLockouts.FirstOrDefaultAsync(l => l.UserId == user.Id && l.FamiliarSource == familiar, cancellationToken);
            var next = SmartLockout.AfterFailure(stored is null ? LockoutState.Fresh : ToState(stored), settings, hash, now);
            if (stored is null)
            {
                stored = new AccountLockout { UserId = user.Id, FamiliarSource = familiar, TenantId = user.TenantId };
                db.AccountLockouts.Add(stored);
            }

            stored.Failures = next.Failures;
            stored.Lockouts = next.Lockouts;
            stored.LockedUntil = next.LockedUntil;
            stored.LastFailure = next.LastFailure;
            stored.RecentFailureHashes = string.Join(' ', next.RecentFailureHashes);
            stored.ConcurrencyStamp = Guid.NewGuid();
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return SmartLockout.IsLockedOut(next, now);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>A right password: the count of this kind of source starts again.</summary>
    public async Task SucceededAsync(DirectoryUser user, bool familiar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await db.AccountLockouts.Where(l => l.UserId == user.Id && l.FamiliarSource == familiar).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Ends every lockout of the user (an administrator set a new password).</summary>
    public static Task ClearAsync(TesseraDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.AccountLockouts.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// After a failed sign-in: when the source has now failed on enough distinct accounts within the spray window, raises
    /// a password-spray risk detection, which blocks the source for the accounts it is not familiar to.
    /// </summary>
    public async Task DetectSprayAsync(Guid tenantId, string source, string ipAddress, CancellationToken cancellationToken)
    {
        var settings = Settings;
        if (string.IsNullOrEmpty(source) || settings.SprayAccountsThreshold < 1)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (await IsBlockedAsync(tenantId, source, now, cancellationToken))
        {
            return;
        }

        var since = now - settings.SprayWindow;
        var accounts = await db.SignInEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.SourcePrefix == source && e.CreatedDateTime >= since && e.ErrorCode != 0 &&
                        e.SignInEventType == SignInEventTypes.InteractiveUser)
            .Select(e => e.UserPrincipalName)
            .Distinct()
            .CountAsync(cancellationToken);
        if (SprayDetection.RiskLevel(accounts, settings.SprayAccountsThreshold) is not { } level)
        {
            return;
        }

        db.RiskDetections.Add(new RiskDetection
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            RiskEventType = RiskEventTypes.PasswordSpray,
            RiskLevel = level,
            RiskState = RiskStates.AtRisk,
            Activity = "signin",
            IpAddress = ipAddress,
            SourcePrefix = source,
            DetectedDateTime = now,
            LastUpdatedDateTime = now,
            TargetedAccounts = accounts,
            AdditionalInfo = $"{accounts} accounts failed to sign in from {source} within {settings.SprayWindow.TotalMinutes:0} minutes.",
        });
        await db.SaveChangesAsync(cancellationToken);
        LogSprayDetected(logger, source, accounts, tenantId);
    }

    private async Task<bool> IsFamiliarAsync(Guid userId, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(source))
        {
            return false;
        }

        var since = now - Settings.FamiliarSourcePeriod;
        return await db.SignInEvents.AsNoTracking().AnyAsync(e => e.UserId == userId && e.SourcePrefix == source && e.ErrorCode == 0 &&
                                                                   e.SignInEventType == SignInEventTypes.InteractiveUser && e.CreatedDateTime >= since, cancellationToken);
    }

    private async Task<bool> IsBlockedAsync(Guid tenantId, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(source))
        {
            return false;
        }

        var since = now - Settings.SprayBlockDuration;
        return await db.RiskDetections.AsNoTracking().AnyAsync(r => r.TenantId == tenantId && r.SourcePrefix == source &&
                                                                     r.RiskState == RiskStates.AtRisk && r.DetectedDateTime >= since, cancellationToken);
    }

    private static LockoutState ToState(AccountLockout stored)
        => new(stored.Failures, stored.Lockouts, stored.LockedUntil, stored.LastFailure,
            stored.RecentFailureHashes.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// A short hash of a wrong password, salted with the user id and stretched, so that a repeat can be recognised while
    /// the stored value says little about the password (still: it is kept only for the last few failures).
    /// </summary>
    private static string FailureHash(Guid userId, string password)
        => Convert.ToBase64String(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), userId.ToByteArray(), 2_000, HashAlgorithmName.SHA256, 12));

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "TSR5101: Password spray detected: {Accounts} accounts failed to sign in from {Source} in tenant {TenantId}. The source is blocked for accounts it is not familiar to; see GET /admin/v1/identityProtection/riskDetections.")]
    private static partial void LogSprayDetected(ILogger logger, string source, int accounts, Guid tenantId);
}
