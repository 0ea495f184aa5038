using System.Threading.Channels;
using Tessera.Directory.Audit;
using Tessera.Directory.Storage;

namespace Tessera.Server.SignInLogs;

/// <summary>
/// The sign-in log's writer. <see cref="Record(SignInEvent)"/> only queues: a sign-in never waits for the database.
/// A background loop inserts what is queued in batches (up to <see cref="BatchSize"/>, gathered for
/// <see cref="BatchWindow"/>) in a database scope of its own, and on shutdown writes whatever is still queued.
/// When the queue is full (the database has fallen behind by <see cref="Capacity"/> events), events are dropped
/// and counted, with a warning at most once a minute: losing log lines beats slowing every sign-in down.
/// </summary>
public sealed partial class SignInLog : BackgroundService
{
    public const int Capacity = 10_000;
    public const int BatchSize = 500;
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(250);

    private readonly Channel<SignInEvent> _queue;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<SignInLog> _logger;
    private readonly int _capacity;

    private readonly Lock _gate = new();
    private readonly List<(long Upto, TaskCompletionSource Done)> _waiters = [];
    private long _accepted;
    private long _settled;
    private long _dropped;
    private long _droppedWarned;
    private long _lastWarningTicks = long.MinValue / 2;

    public SignInLog(IServiceScopeFactory scopes, TimeProvider time, ILogger<SignInLog> logger)
        : this(scopes, time, logger, Capacity)
    {
    }

    internal SignInLog(IServiceScopeFactory scopes, TimeProvider time, ILogger<SignInLog> logger, int capacity)
    {
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _capacity = capacity;
        _queue = Channel.CreateBounded<SignInEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then says "full" instead of dropping silently
            SingleReader = false, // the loop, and StopAsync if the host stops waiting for the loop
        });
    }

    /// <summary>Events dropped because the queue was full or the log had stopped, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="attempt"/> with its outcome, stamped now. Never blocks.</summary>
    public void Record(SignInAttempt attempt, SignInStatus status)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(status);
        Record(attempt.ToEvent(status, _time.GetUtcNow()));
    }

    /// <summary>Queues one event. Never blocks.</summary>
    public void Record(SignInEvent signIn)
    {
        ArgumentNullException.ThrowIfNull(signIn);

        // Counted before it is queued, so that a flush that starts after this call waits for it.
        Interlocked.Increment(ref _accepted);
        if (!_queue.Writer.TryWrite(signIn))
        {
            Interlocked.Increment(ref _dropped);
            Settle(1);
            WarnOfDrops();
        }
    }

    /// <summary>Completes when every event queued before the call has been written (or given up on). For tests.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var upto = Interlocked.Read(ref _accepted);
        lock (_gate)
        {
            if (_settled >= upto)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((upto, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var batch = new List<SignInEvent>(BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                if (reader.Count < BatchSize)
                {
                    // Let a batch gather: one insert of many rows costs about what one row costs.
                    await Task.Delay(BatchWindow, _time, stoppingToken);
                }

                while (batch.Count < BatchSize && reader.TryRead(out var signIn))
                {
                    batch.Add(signIn);
                }

                await WriteAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the loop, then writes what is still queued and takes no more.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Here rather than at the end of ExecuteAsync, which never runs if the host stops as soon as it has started.
        await base.StopAsync(cancellationToken);
        _queue.Writer.TryComplete();
        var batch = new List<SignInEvent>(BatchSize);
        while (_queue.Reader.TryRead(out var signIn))
        {
            batch.Add(signIn);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(batch);
            }
        }

        await WriteAsync(batch);
    }

    // Not cancellable: a batch being written when the host stops is finished, not abandoned half-way.
    private async Task WriteAsync(List<SignInEvent> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
            db.SignInEvents.AddRange(batch);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The database is unavailable or refused the rows: give these up and keep logging the next ones.
            LogWriteFailed(_logger, batch.Count, exception);
        }

        var written = batch.Count;
        batch.Clear();
        Settle(written);
    }

    private void Settle(int count)
    {
        lock (_gate)
        {
            _settled += count;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Upto <= _settled)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void WarnOfDrops()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (now - last < TimeSpan.TicksPerMinute || Interlocked.CompareExchange(ref _lastWarningTicks, now, last) != last)
        {
            return;
        }

        var dropped = Interlocked.Read(ref _dropped);
        LogDropped(_logger, dropped - Interlocked.Exchange(ref _droppedWarned, dropped), _capacity);
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "TSR6201: The sign-in log dropped {Count} sign-in events because {Capacity} were already waiting to be written; the database is not keeping up. Sign-ins themselves are unaffected. Look for slow or failing database writes (TSR6202).")]
    private static partial void LogDropped(ILogger logger, long count, int capacity);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "TSR6202: Could not write {Count} sign-in events to the database; they are lost. Later events are still written when the database answers again.")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
