using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Policy.Workloads;
using Tessera.Server.Admin;
using Tessera.Server.Admin.Audit;

namespace Tessera.Server.Credentials;

/// <summary>
/// Tells the audit log, once per credential, that a client secret or certificate has entered its warning window
/// (<see cref="CredentialExpiry.WarningWindowDays"/> days before its end), so that whoever watches the log (or exports
/// it) replaces it in time. Runs at start and every <see cref="Interval"/> on every node; the credential's
/// <c>ExpiryNoticeDateTime</c> is a concurrency token, so of two nodes noticing at once one writes the entry.
/// </summary>
public sealed partial class CredentialExpiryNotices(IServiceScopeFactory scopes, TimeProvider time, ILogger<CredentialExpiryNotices> logger)
    : BackgroundService
{
    public const string Category = "ApplicationManagement";
    public const string Activity = "Credential nearing expiry";
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private static readonly object Initiator = new { app = new { displayName = "Tessera credential expiry check" } };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogCheckFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Writes the notices due now; returns how many were written by this node.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var limit = time.GetUtcNow() + CredentialExpiry.WarningWindow;
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
            due = await db.PasswordCredentials.AsNoTracking().Where(c => c.ExpiryNoticeDateTime == null && c.EndDateTime <= limit).Select(c => c.KeyId)
                .Concat(db.KeyCredentials.AsNoTracking().Where(c => c.ExpiryNoticeDateTime == null && c.EndDateTime <= limit).Select(c => c.KeyId))
                .ToListAsync(cancellationToken);
        }

        var written = 0;
        foreach (var keyId in due)
        {
            written += await NoticeAsync(keyId, cancellationToken) ? 1 : 0;
        }

        return written;
    }

    private async Task<bool> NoticeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var now = time.GetUtcNow();

        var secret = await db.PasswordCredentials.FirstOrDefaultAsync(c => c.KeyId == keyId && c.ExpiryNoticeDateTime == null, cancellationToken);
        var certificate = secret is null
            ? await db.KeyCredentials.FirstOrDefaultAsync(c => c.KeyId == keyId && c.ExpiryNoticeDateTime == null, cancellationToken)
            : null;
        var (applicationId, end, summary) = (secret, certificate) switch
        {
            ({ } s, _) => (s.ApplicationId, s.EndDateTime, (object)new { type = "password", s.KeyId, s.DisplayName, s.Hint, s.EndDateTime }),
            (_, { } c) => (c.ApplicationId, c.EndDateTime, new { type = "certificate", c.KeyId, c.DisplayName, customKeyIdentifier = c.Thumbprint, c.EndDateTime }),
            _ => (Guid.Empty, default, null!),
        };
        var app = applicationId == Guid.Empty ? null : await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (app is null)
        {
            return false; // Noticed by another node, or removed, since the scan.
        }

        if (secret is not null)
        {
            secret.ExpiryNoticeDateTime = now;
        }
        else
        {
            certificate!.ExpiryNoticeDateTime = now;
        }

        var property = secret is not null ? "passwordCredentials" : "keyCredentials";
        var state = end <= now ? "expired" : $"expires in {CredentialExpiry.DaysLeft(end, now)} days";
        await audit.RecordAsync(app.TenantId, Initiator, Category, Activity,
            new AuditTarget(app.Id.ToString(), "Application", app.DisplayName,
                [new ModifiedProperty(property, null, JsonSerializer.Serialize(summary)), new ModifiedProperty("expiry", null, state)]),
            cancellationToken);
        return await AdminWrites.SaveAsync(db, () => Task.CompletedTask, cancellationToken);
    }

    [LoggerMessage(EventId = 8290, Level = LogLevel.Warning, Message = "TSR8290: The credential expiry check failed; it runs again within the hour.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
