using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.SharedSignals;
using Tessera.Directory.Storage;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// Push delivery (RFC 8935), on every node: claims due SETs of enabled push streams with a lease (so that two nodes on
/// one database never both deliver a SET), posts each to its receiver in order per stream, and then: 202 removes it;
/// 400 removes it with a log (the receiver will never take it); anything else, or no answer, tries again with backoff.
/// Woken at once when this node queues a SET; other nodes' SETs and retries are found at <see cref="IdleInterval"/>.
/// Housekeeping pauses streams inactive past their timeout and deletes them at twice the timeout.
/// </summary>
public sealed partial class PushDelivery(
    IServiceScopeFactory scopes, OutboxSignal signal, TimeProvider time, IHttpClientFactory clients, IDataProtectionProvider protection,
    ILogger<PushDelivery> logger) : BackgroundService
{
    public const string ClientName = "Tessera.SharedSignals.Push";
    public static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMinutes(1);
    private const int Batch = 200;

    private DateTimeOffset _nextHousekeeping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await DeliverDueAsync(stoppingToken);
                if (time.GetUtcNow() >= _nextHousekeeping)
                {
                    _nextHousekeeping = time.GetUtcNow() + HousekeepingInterval;
                    await HousekeepAsync(stoppingToken);
                }
            }
            catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogDeliveryFailed(logger, exception);
            }

            if (delivered == 0)
            {
                await signal.WaitAsync(IdleInterval, stoppingToken);
            }
        }
    }

    private sealed record Claimed(Guid Id, Guid StreamId, string Token, int Attempts, string EndpointUrl, string? ProtectedAuthorizationHeader);

    /// <summary>Claims what is due and delivers it; returns how many rows it claimed.</summary>
    private async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var now = time.GetUtcNow();
        var candidates = await db.QueuedSecurityEvents.AsNoTracking()
            .Where(q => q.NextAttemptDateTime <= now && (q.LeaseExpiresDateTime == null || q.LeaseExpiresDateTime < now) &&
                        db.SignalStreams.Any(s => s.Id == q.StreamId && s.Status == SignalStreamStatuses.Enabled && s.DeliveryMethod == SignalDeliveryMethods.Push) &&
                        // In order per stream: nothing behind an older SET that waits for its retry or is being delivered.
                        !db.QueuedSecurityEvents.Any(o => o.StreamId == q.StreamId && o.CreatedDateTime < q.CreatedDateTime &&
                                                          (o.NextAttemptDateTime > now || o.LeaseExpiresDateTime >= now)))
            .OrderBy(q => q.CreatedDateTime)
            .Select(q => q.Id)
            .Take(Batch)
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return 0;
        }

        // The lease is taken row by row by one UPDATE whose condition is checked again under the row's lock: of two nodes
        // that picked the same rows, the second updates none of those the first holds.
        var lease = Guid.NewGuid();
        await db.QueuedSecurityEvents
            .Where(q => candidates.Contains(q.Id) && (q.LeaseExpiresDateTime == null || q.LeaseExpiresDateTime < now))
            .ExecuteUpdateAsync(set => set.SetProperty(q => q.LeaseId, lease).SetProperty(q => q.LeaseExpiresDateTime, now + Lease), cancellationToken);
        var claimed = await db.QueuedSecurityEvents.AsNoTracking()
            .Where(q => q.LeaseId == lease)
            .Join(db.SignalStreams, q => q.StreamId, s => s.Id, (q, s) => new { q.Id, q.StreamId, q.Token, q.Attempts, q.CreatedDateTime, s.EndpointUrl, s.ProtectedAuthorizationHeader })
            .OrderBy(q => q.CreatedDateTime)
            .ToListAsync(cancellationToken);
        var perStream = claimed
            .Select(c => new Claimed(c.Id, c.StreamId, c.Token, c.Attempts, c.EndpointUrl ?? string.Empty, c.ProtectedAuthorizationHeader))
            .GroupBy(c => c.StreamId);
        await Task.WhenAll(perStream.Select(stream => DeliverStreamAsync(stream.Key, [.. stream], lease, cancellationToken)));
        return claimed.Count;
    }

    /// <summary>Delivers one stream's SETs in order; after the first that fails, the rest wait for the same retry.</summary>
    private async Task DeliverStreamAsync(Guid streamId, IReadOnlyList<Claimed> sets, Guid lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var client = clients.CreateClient(ClientName);
        var authorization = sets[0].ProtectedAuthorizationHeader is { } header
            ? protection.CreateProtector(StreamsApi.ProtectorPurpose).Unprotect(header)
            : null;
        var accepted = false;
        for (var index = 0; index < sets.Count; index++)
        {
            var set = sets[index];
            var outcome = await PostAsync(client, set, authorization, cancellationToken);
            if (outcome is Outcome.Accepted or Outcome.Rejected)
            {
                accepted |= outcome == Outcome.Accepted;
                await db.QueuedSecurityEvents.Where(q => q.Id == set.Id && q.LeaseId == lease).ExecuteDeleteAsync(cancellationToken);
                continue;
            }

            var retryAt = time.GetUtcNow() + Backoff(set.Attempts + 1);
            var waiting = sets.Skip(index).Select(s => s.Id).ToList();
            await db.QueuedSecurityEvents.Where(q => waiting.Contains(q.Id) && q.LeaseId == lease)
                .ExecuteUpdateAsync(u => u.SetProperty(q => q.LeaseId, (Guid?)null).SetProperty(q => q.LeaseExpiresDateTime, (DateTimeOffset?)null)
                    .SetProperty(q => q.NextAttemptDateTime, retryAt).SetProperty(q => q.Attempts, q => q.Attempts + 1), cancellationToken);
            break;
        }

        if (accepted)
        {
            var now = time.GetUtcNow();
            await db.SignalStreams.Where(s => s.Id == streamId).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastActivityDateTime, now), cancellationToken);
        }
    }

    private enum Outcome { Accepted, Rejected, Failed }

    private async Task<Outcome> PostAsync(HttpClient client, Claimed set, string? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, set.EndpointUrl)
        {
            Content = new StringContent(set.Token, System.Text.Encoding.ASCII, "application/secevent+jwt"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.Accepted:
                    return Outcome.Accepted;
                case HttpStatusCode.BadRequest:
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    LogRejected(logger, set.StreamId, set.Id, body.Length > 512 ? body[..512] : body);
                    return Outcome.Rejected;
                default:
                    LogRetry(logger, set.StreamId, set.Id, (int)response.StatusCode);
                    return Outcome.Failed;
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, set.StreamId, set.Id, exception.Message);
            return Outcome.Failed;
        }
    }

    /// <summary>1 s, 2 s, 4 s... up to five minutes, each with up to a fifth more at random so that retries spread.</summary>
    private static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(LongestBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts - 1, 16)));
        return TimeSpan.FromSeconds(seconds * (1 + (Random.Shared.NextDouble() / 5)));
    }

    /// <summary>
    /// A poll stream not polled, or a push stream whose oldest SET has waited, longer than its inactivity timeout is
    /// paused (its SETs are kept); one inactive twice as long is deleted with its SETs.
    /// </summary>
    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var now = time.GetUtcNow();
        var streams = await db.SignalStreams.Where(s => s.Status != SignalStreamStatuses.Disabled).ToListAsync(cancellationToken);
        foreach (var stream in streams)
        {
            var timeout = TimeSpan.FromSeconds(stream.InactivityTimeoutSeconds);
            var quietSince = stream.LastActivityDateTime;
            if (stream.DeliveryMethod == SignalDeliveryMethods.Push)
            {
                // A push stream with nothing to deliver is not inactive: its receiver simply has had nothing to hear.
                var oldestWaiting = await db.QueuedSecurityEvents.Where(q => q.StreamId == stream.Id).OrderBy(q => q.CreatedDateTime)
                    .Select(q => (DateTimeOffset?)q.CreatedDateTime).FirstOrDefaultAsync(cancellationToken);
                if (oldestWaiting is null)
                {
                    continue;
                }

                quietSince = oldestWaiting.Value > quietSince ? oldestWaiting.Value : quietSince;
            }

            if (now - quietSince > 2 * timeout)
            {
                db.SignalStreams.Remove(stream);
            }
            else if (now - quietSince > timeout && stream.Status == SignalStreamStatuses.Enabled)
            {
                stream.Status = SignalStreamStatuses.Paused;
                stream.StatusReason = stream.DeliveryMethod == SignalDeliveryMethods.Push
                    ? "The receiver's endpoint has not accepted events for longer than the inactivity timeout."
                    : "The stream has not been polled for longer than the inactivity timeout.";
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 8050, Level = LogLevel.Warning, Message = "TSR8050: The receiver of stream {StreamId} refused SET {Jti} with 400 ({Body}); the SET is dropped. Check the receiver's issuer, audience and key settings.")]
    private static partial void LogRejected(ILogger logger, Guid streamId, Guid jti, string body);

    [LoggerMessage(EventId = 8051, Level = LogLevel.Information, Message = "TSR8051: The receiver of stream {StreamId} answered {Status} for SET {Jti}; it will be tried again.")]
    private static partial void LogRetry(ILogger logger, Guid streamId, Guid jti, int status);

    [LoggerMessage(EventId = 8052, Level = LogLevel.Information, Message = "TSR8052: The receiver of stream {StreamId} could not be reached for SET {Jti} ({Reason}); it will be tried again.")]
    private static partial void LogUnreachable(ILogger logger, Guid streamId, Guid jti, string reason);

    [LoggerMessage(EventId = 8053, Level = LogLevel.Error, Message = "TSR8053: Delivering security events failed; the worker carries on.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);
}
