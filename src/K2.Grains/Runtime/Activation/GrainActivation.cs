using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Runtime;

/// <summary>
/// One live instance of a grain: a bounded mailbox and a loop that runs its entries one at a time, in order. The
/// first turn constructs the grain and runs <see cref="Grain.OnActivateAsync"/>; the last runs
/// <see cref="Grain.OnDeactivateAsync"/>. Once deactivation begins the mailbox is closed, so every message is either
/// processed here or handed to the catalog (for the next activation, or to be failed at shutdown).
/// </summary>
internal sealed partial class GrainActivation
{
    private readonly Lock _gate = new();
    private readonly GrainCatalog _catalog;
    private readonly Channel<MailboxItem> _mailbox;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<GrainTimer> _timers = [];
    private readonly ILogger _logger;
    private ActivationState _state = ActivationState.Active;
    private DeactivationReason _deactivationReason;
    private bool _drainBeforeDeactivating;
    private bool _deactivateOnIdleRequested;
    private bool _timersDisposed;

    // Entries enqueued and not yet finished (queued or running); zero means idle.
    private int _pending;
    private long _lastActiveTimestamp;
    private long _messagesProcessed;
    private long _errors;
    private Grain? _grain;
    private AsyncServiceScope? _scope;

    public GrainActivation(GrainId grainId, GrainTypeRegistration grainType, GrainCatalog catalog)
    {
        GrainId = grainId;
        GrainType = grainType;
        _catalog = catalog;
        _logger = catalog.ActivationLogger;
        _mailbox = Channel.CreateBounded<MailboxItem>(new BoundedChannelOptions(catalog.MailboxCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,

            // The loop is the only regular reader; after a shutdown timeout the catalog also takes what is left.
            SingleReader = false,
        });
        _lastActiveTimestamp = catalog.TimeProvider.GetTimestamp();
    }

    public GrainId GrainId { get; }

    public GrainTypeRegistration GrainType { get; }

    public IGrainFactory GrainFactory => _catalog.GrainFactory;

    /// <summary>Completes once the final turn has run and the catalog has let go of this activation.</summary>
    public Task Completion => _completion.Task;

    public int MailboxDepth => _mailbox.Reader.Count;

    // "Unsafe": the loop must not inherit the ExecutionContext (AsyncLocals, Activity) of whichever caller created it.
    public void Start() =>
        ThreadPool.UnsafeQueueUserWorkItem(static activation => _ = activation.RunAsync(), this, preferLocal: false);

    public EnqueueResult TryEnqueue(MailboxItem item)
    {
        lock (_gate)
        {
            if (_state != ActivationState.Active)
            {
                return EnqueueResult.ActivationClosed;
            }

            if (!_mailbox.Writer.TryWrite(item))
            {
                return EnqueueResult.MailboxFull;
            }

            _pending++;
            return EnqueueResult.Enqueued;
        }
    }

    /// <summary>Waits until the mailbox has room or is closed; the caller then tries again.</summary>
    public ValueTask<bool> WaitForMailboxSpaceAsync(CancellationToken cancellationToken) =>
        _mailbox.Writer.WaitToWriteAsync(cancellationToken);

    public bool TryEnqueueTimerTick(GrainTimerTick tick)
    {
        var result = TryEnqueue(tick);
        if (result == EnqueueResult.MailboxFull)
        {
            // A timer must not block its thread, and the next due time brings another tick.
            LogTimerTickSkipped(_logger, GrainId);
        }

        return result == EnqueueResult.Enqueued;
    }

    public bool TryBeginIdleDeactivation(long nowTimestamp, TimeSpan idleTimeout)
    {
        lock (_gate)
        {
            if (_state != ActivationState.Active
                || GrainType.KeepAlive
                || _pending > 0
                || _catalog.TimeProvider.GetElapsedTime(_lastActiveTimestamp, nowTimestamp) < idleTimeout)
            {
                return false;
            }

            BeginDeactivation(new DeactivationReason(DeactivationReasonCode.IdleTimeout, $"Idle for at least {idleTimeout}."), drainMailbox: true);
            return true;
        }
    }

    public void BeginShutdown()
    {
        lock (_gate)
        {
            if (_state == ActivationState.Active)
            {
                BeginDeactivation(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The grain runtime is shutting down."), drainMailbox: true);
            }
        }
    }

    public void DeactivateOnIdle()
    {
        lock (_gate)
        {
            _deactivateOnIdleRequested = true;
        }
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new GrainTimer(this, callback, dueTime, period, _catalog.TimeProvider, _catalog.RuntimeAborted);
        bool alreadyGone;
        lock (_gate)
        {
            // A timer registered in OnDeactivateAsync would otherwise outlive its activation.
            alreadyGone = _timersDisposed;
            if (!alreadyGone)
            {
                _timers.Add(timer);
            }
        }

        if (alreadyGone)
        {
            timer.Dispose();
        }

        return timer;
    }

    public void OnTimerDisposed(GrainTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>
    /// Takes every message still in the (closed) mailbox, so that it can go to the next activation or be failed.
    /// Timer ticks are dropped: the timers belong to this activation and end with it.
    /// </summary>
    public List<MailboxItem> TakeQueuedMessages()
    {
        List<MailboxItem> messages = [];
        while (_mailbox.Reader.TryRead(out var item))
        {
            if (item.Kind == MailboxItemKind.TimerTick)
            {
                item.Complete(null);
            }
            else
            {
                messages.Add(item);
            }
        }

        return messages;
    }

    public GrainActivationSnapshot GetSnapshot(DateTimeOffset utcNow, long nowTimestamp)
    {
        lock (_gate)
        {
            return new GrainActivationSnapshot(
                GrainType.Name,
                GrainId.Key,
                _mailbox.Reader.Count,
                _messagesProcessed,
                _errors,
                utcNow - _catalog.TimeProvider.GetElapsedTime(_lastActiveTimestamp, nowTimestamp));
        }
    }

    private async Task RunAsync()
    {
        await ProcessMailboxAsync();
        var forwarded = TakeQueuedMessages();
        await DeactivateAsync();
        _catalog.OnActivationFinished(this, forwarded);
        _completion.SetResult();
    }

    private async Task ProcessMailboxAsync()
    {
        var reader = _mailbox.Reader;

        // Ends when the mailbox is closed and drained, or earlier when the grain asked to deactivate.
        while (await reader.WaitToReadAsync())
        {
            if (_grain is null && !await TryActivateAsync())
            {
                return;
            }

            while (!IsLeavingEarly() && reader.TryRead(out var item))
            {
                await RunTurnAsync(item, _grain!);
            }

            if (IsLeavingEarly())
            {
                return;
            }
        }
    }

    /// <summary>True once the activation deactivates without draining its mailbox (DeactivateOnIdle, activation failure).</summary>
    private bool IsLeavingEarly()
    {
        lock (_gate)
        {
            if (_deactivateOnIdleRequested && _state == ActivationState.Active)
            {
                BeginDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "The grain called DeactivateOnIdle."), drainMailbox: false);
            }

            return _state == ActivationState.Deactivating && !_drainBeforeDeactivating;
        }
    }

    private async Task<bool> TryActivateAsync()
    {
        try
        {
            _scope = _catalog.ScopeFactory.CreateAsyncScope();
            var grain = (Grain)ActivatorUtilities.CreateInstance(_scope.Value.ServiceProvider, GrainType.GrainClass);
            grain.Attach(this);
            await grain.OnActivateAsync(_catalog.RuntimeAborted);
            _grain = grain;
            _catalog.Metrics.RecordActivation();
            LogActivated(_logger, GrainId);
            return true;
        }
        catch (Exception exception)
        {
            LogActivationFailed(_logger, exception, GrainId);
            _catalog.Metrics.RecordError(GrainType);

            // The message that triggered the activation fails with it; the rest go to a fresh activation.
            MailboxItem? first;
            lock (_gate)
            {
                BeginDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationFailed, exception.Message), drainMailbox: false);
                if (_mailbox.Reader.TryRead(out first))
                {
                    _pending--;
                }
            }

            first?.Complete(exception);
            return false;
        }
    }

    private async Task RunTurnAsync(MailboxItem item, Grain grain)
    {
        Exception? error = null;
        try
        {
            await item.RunAsync(grain);
        }
        catch (Exception exception)
        {
            error = exception;
        }

        var isMessage = item.Kind != MailboxItemKind.TimerTick;
        var now = _catalog.TimeProvider.GetTimestamp();
        lock (_gate)
        {
            _pending--;
            if (isMessage)
            {
                _messagesProcessed++;
                _lastActiveTimestamp = now;
            }

            if (error is not null)
            {
                _errors++;
            }
        }

        if (isMessage)
        {
            _catalog.Metrics.RecordMessage(GrainType);
        }

        if (error is not null)
        {
            _catalog.Metrics.RecordError(GrainType);
            LogTurnFailed(item, error);
        }

        item.Complete(error);
    }

    private void LogTurnFailed(MailboxItem item, Exception error)
    {
        switch (item.Kind)
        {
            case MailboxItemKind.Request:
                LogRequestFailed(_logger, error, GrainId, item.Operation);
                break;
            case MailboxItemKind.OneWayRequest:
                LogOneWayRequestFailed(_logger, error, GrainId, item.Operation);
                break;
            default:
                LogTimerCallbackFailed(_logger, error, GrainId);
                break;
        }
    }

    private async Task DeactivateAsync()
    {
        DisposeTimers();
        DeactivationReason reason;
        lock (_gate)
        {
            reason = _deactivationReason;
        }

        if (_grain is not null)
        {
            try
            {
                await _grain.OnDeactivateAsync(reason, _catalog.RuntimeAborted);
            }
            catch (Exception exception)
            {
                LogDeactivationFailed(_logger, exception, GrainId);
                _catalog.Metrics.RecordError(GrainType);
            }

            LogDeactivated(_logger, GrainId, reason.Code, reason.Description);
        }

        if (_scope is { } scope)
        {
            try
            {
                await scope.DisposeAsync();
            }
            catch (Exception exception)
            {
                LogDeactivationFailed(_logger, exception, GrainId);
            }
        }
    }

    private void DisposeTimers()
    {
        GrainTimer[] timers;
        lock (_gate)
        {
            _timersDisposed = true;
            timers = [.. _timers];
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }

    /// <summary>Closes the mailbox. Caller holds <see cref="_gate"/>.</summary>
    private void BeginDeactivation(DeactivationReason reason, bool drainMailbox)
    {
        _state = ActivationState.Deactivating;
        _deactivationReason = reason;
        _drainBeforeDeactivating = drainMailbox;
        _mailbox.Writer.TryComplete();
    }
}
