using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Runtime;

/// <summary>
/// The directory of live activations: routes each message to its grain's activation, creating one when there is none,
/// replaces an activation that finished with messages still queued, collects idle ones and shuts all of them down.
/// </summary>
internal sealed partial class GrainCatalog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GrainId, GrainActivation> _activations = [];
    private readonly CancellationTokenSource _runtimeAborted = new();
    private readonly GrainRuntimeOptions _options;
    private readonly ILogger<GrainCatalog> _logger;
    private bool _shuttingDown;

    public GrainCatalog(
        IServiceScopeFactory scopeFactory,
        GrainTypeRegistry registry,
        IOptions<GrainRuntimeOptions> options,
        TimeProvider timeProvider,
        IMeterFactory meterFactory,
        ILogger<GrainCatalog> logger,
        ILogger<GrainActivation> activationLogger)
    {
        _options = options.Value;
        _logger = logger;
        ScopeFactory = scopeFactory;
        TimeProvider = timeProvider;
        ActivationLogger = activationLogger;
        RuntimeAborted = _runtimeAborted.Token;
        Metrics = new GrainRuntimeMetrics(meterFactory, registry, ListActivations);
        GrainFactory = new GrainFactory(this, registry);
    }

    public IServiceScopeFactory ScopeFactory { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger ActivationLogger { get; }

    public GrainRuntimeMetrics Metrics { get; }

    public IGrainFactory GrainFactory { get; }

    public int MailboxCapacity => _options.MailboxCapacity;

    /// <summary>Cancelled when shutdown gives up waiting: tells activation hooks and timer callbacks to stop now.</summary>
    public CancellationToken RuntimeAborted { get; }

    /// <summary>
    /// Puts <paramref name="item"/> in the mailbox of <paramref name="grainId"/>'s activation. Waits while the mailbox
    /// is full, and while the activation is deactivating (the message then goes to the one that follows it).
    /// </summary>
    public ValueTask EnqueueAsync(
        GrainId grainId, GrainTypeRegistration grainType, MailboxItem item, CancellationToken cancellationToken)
    {
        GrainActivation activation;
        try
        {
            activation = GetOrCreateActivation(grainId, grainType);
        }
        catch (InvalidOperationException exception)
        {
            return ValueTask.FromException(exception);
        }

        return activation.TryEnqueue(item) == EnqueueResult.Enqueued
            ? ValueTask.CompletedTask
            : EnqueueWhenPossibleAsync(activation, grainType, item, cancellationToken);
    }

    public void OnActivationFinished(GrainActivation finished, List<MailboxItem> queuedMessages)
    {
        var rejected = false;
        lock (_gate)
        {
            _activations.Remove(finished.GrainId);
            if (queuedMessages.Count > 0)
            {
                if (_shuttingDown)
                {
                    rejected = true;
                }
                else
                {
                    // Under the lock, so these messages are in the new mailbox, in order, before anyone else's.
                    var next = CreateActivation(finished.GrainId, finished.GrainType);
                    foreach (var message in queuedMessages)
                    {
                        if (next.TryEnqueue(message) != EnqueueResult.Enqueued)
                        {
                            throw new InvalidOperationException("A new activation's mailbox must take what its predecessor's held.");
                        }
                    }
                }
            }
        }

        if (rejected)
        {
            Reject(finished.GrainId, queuedMessages);
        }
    }

    public IReadOnlyList<GrainActivation> ListActivations()
    {
        lock (_gate)
        {
            return [.. _activations.Values];
        }
    }

    /// <summary>Begins deactivating every activation idle for at least the idle timeout; called by the collection timer.</summary>
    public void CollectIdleActivations()
    {
        var now = TimeProvider.GetTimestamp();
        var collected = 0;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            foreach (var activation in _activations.Values)
            {
                if (activation.TryBeginIdleDeactivation(now, _options.IdleTimeout))
                {
                    collected++;
                }
            }
        }

        if (collected > 0)
        {
            LogIdleActivationsCollected(_logger, collected);
        }
    }

    /// <summary>
    /// Refuses new messages, lets every activation finish what is queued and deactivate, and waits for that up to the
    /// shutdown timeout. Past it, messages still queued fail and <see cref="RuntimeAborted"/> is cancelled.
    /// </summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        GrainActivation[] activations;
        lock (_gate)
        {
            _shuttingDown = true;
            activations = [.. _activations.Values];
        }

        LogStopping(_logger, activations.Length);
        foreach (var activation in activations)
        {
            activation.BeginShutdown();
        }

        try
        {
            await Task.WhenAll(activations.Select(activation => activation.Completion))
                .WaitAsync(_options.ShutdownTimeout, TimeProvider, cancellationToken);
            LogStopped(_logger);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            var unfinished = activations.Where(activation => !activation.Completion.IsCompleted).ToList();
            LogStopTimedOut(_logger, unfinished.Count, _options.ShutdownTimeout);
            await _runtimeAborted.CancelAsync();
            foreach (var activation in unfinished)
            {
                Reject(activation.GrainId, activation.TakeQueuedMessages());
            }
        }
    }

    public void Dispose() => _runtimeAborted.Dispose();

    private static InvalidOperationException ShuttingDown(GrainId grainId) =>
        new($"The grain runtime is shutting down; {grainId} takes no new messages.");

    private async ValueTask EnqueueWhenPossibleAsync(
        GrainActivation activation, GrainTypeRegistration grainType, MailboxItem item, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (activation.TryEnqueue(item))
            {
                case EnqueueResult.Enqueued:
                    return;
                case EnqueueResult.MailboxFull:
                    await activation.WaitForMailboxSpaceAsync(cancellationToken);
                    break;
                default:
                    await activation.Completion.WaitAsync(cancellationToken);
                    activation = GetOrCreateActivation(activation.GrainId, grainType);
                    break;
            }
        }
    }

    private GrainActivation GetOrCreateActivation(GrainId grainId, GrainTypeRegistration grainType)
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                throw ShuttingDown(grainId);
            }

            return _activations.TryGetValue(grainId, out var activation)
                ? activation
                : CreateActivation(grainId, grainType);
        }
    }

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private GrainActivation CreateActivation(GrainId grainId, GrainTypeRegistration grainType)
    {
        var activation = new GrainActivation(grainId, grainType, this);
        _activations.Add(grainId, activation);
        activation.Start();
        return activation;
    }

    private void Reject(GrainId grainId, List<MailboxItem> messages)
    {
        var reason = ShuttingDown(grainId);
        foreach (var message in messages)
        {
            LogMessageRejected(_logger, message.Operation, grainId);
            message.Complete(reason);
        }
    }
}
