namespace Tessera.Server.SharedSignals;

/// <summary>
/// Wakes this node's push worker and its long polls as soon as a SET is queued here. Other nodes' SETs are found by
/// looking at the table at a short interval, so the signal only makes the common case fast.
/// </summary>
public sealed class OutboxSignal
{
    private static readonly TimeSpan RecentPulse = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RecheckAfterPulse = TimeSpan.FromMilliseconds(25);

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastPulse = long.MinValue / 2;

    /// <summary>
    /// How long a reader that found nothing should wait before looking again: <paramref name="idle"/>, or very little
    /// just after a pulse. A SET is pulsed when its save succeeds, which may be before the enclosing transaction commits.
    /// </summary>
    public TimeSpan NextCheck(TimeSpan idle)
        => Environment.TickCount64 - Volatile.Read(ref _lastPulse) < RecentPulse.TotalMilliseconds ? RecheckAfterPulse : idle;

    public void Pulse()
    {
        Volatile.Write(ref _lastPulse, Environment.TickCount64);
        Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Waits for the next pulse or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pulse = Volatile.Read(ref _next).Task;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await pulse.WaitAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
