namespace K2.Grains.Runtime;

/// <summary>
/// A timer owned by one activation. Each due time enqueues a tick that runs the callback as a mailbox turn; while a
/// tick is queued or running, later due times are skipped, so ticks never pile up in the mailbox.
/// </summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly CancellationTokenSource _stopped;
    private readonly CancellationToken _stoppedToken;
    private readonly GrainTimerTick _tick;
    private readonly ITimer _timer;
    private int _tickOutstanding;
    private int _disposed;

    public GrainTimer(
        GrainActivation activation,
        Func<CancellationToken, Task> callback,
        TimeSpan dueTime,
        TimeSpan period,
        TimeProvider timeProvider,
        CancellationToken runtimeAborted)
    {
        _activation = activation;
        _callback = callback;
        _stopped = CancellationTokenSource.CreateLinkedTokenSource(runtimeAborted);
        _stoppedToken = _stopped.Token;
        _tick = new GrainTimerTick(this);
        _timer = timeProvider.CreateTimer(static state => ((GrainTimer)state!).OnDue(), this, dueTime, period);
    }

    /// <summary>Runs in the tick's turn. A tick still queued when the timer was disposed does nothing.</summary>
    public Task RunCallbackAsync() => Volatile.Read(ref _disposed) == 1 ? Task.CompletedTask : _callback(_stoppedToken);

    public void OnTickCompleted() => Volatile.Write(ref _tickOutstanding, 0);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _timer.Dispose();
        _stopped.Cancel();
        _stopped.Dispose();
        _activation.OnTimerDisposed(this);
    }

    private void OnDue()
    {
        if (Volatile.Read(ref _disposed) == 1 || Interlocked.Exchange(ref _tickOutstanding, 1) == 1)
        {
            return;
        }

        if (!_activation.TryEnqueueTimerTick(_tick))
        {
            OnTickCompleted();
        }
    }
}
