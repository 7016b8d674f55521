using K2.Core;
using K2.Grains.Exchanges.WebSockets;

namespace K2.Grains.Exchanges.Sessions;

/// <summary>
/// One WebSocket connection of a session: its identity (kept in bronze), frame numbering, liveness, subscription
/// progress, the venue's per-connection state and its requests to replace the connection. The session's supervisor
/// owns its lifetime.
/// </summary>
internal sealed class SessionConnection(ExchangeWebSocket socket, string id, bool signalsPossibleLoss, OutgoingMessageLimiter limiter, TimeProvider time)
{
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _replaceRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private object? _venueState;
    private long _frames;
    private long _waitingSinceTicks;

    /// <summary>Unique across silos and restarts: exchange, process instance, connection number.</summary>
    public string Id { get; } = id;

    public DateTimeOffset ConnectedAt { get; } = time.GetUtcNow();

    public ExchangeWebSocket Socket { get; } = socket;

    /// <summary>
    /// True for a connection that did not take over from a live one: trades may have been lost before it, so the
    /// instruments catch up before its first frame is handled.
    /// </summary>
    public bool SignalsPossibleLoss { get; } = signalsPossibleLoss;

    /// <summary>Completes once the venue has every subscription acknowledged.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>Completes, with the reason, when the venue asks for this connection to be replaced (Binance serverShutdown, age).</summary>
    public Task<string> ReplaceRequested => _replaceRequested.Task;

    /// <summary>
    /// How long the connection has been waiting for data, or zero while a frame is being handled: time spent blocked
    /// on a full mailbox (back-pressure) is not silence.
    /// </summary>
    public TimeSpan Silence
    {
        get
        {
            var since = Interlocked.Read(ref _waitingSinceTicks);
            return since == 0 ? TimeSpan.Zero : time.GetUtcNow() - new DateTimeOffset(since, TimeSpan.Zero);
        }
    }

    /// <summary>The venue's state for this connection (pending acknowledgements, sequence numbers), created on first use.</summary>
    public T VenueState<T>()
        where T : class, new()
    {
        Interlocked.CompareExchange(ref _venueState, new T(), null);
        return (T)_venueState!;
    }

    public void WaitingForData() => Interlocked.Exchange(ref _waitingSinceTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Counts a received frame and returns its number on this connection (1, 2, …).</summary>
    public long OnFrame()
    {
        Interlocked.Exchange(ref _waitingSinceTicks, 0);
        return Interlocked.Increment(ref _frames);
    }

    public void MarkSubscribed() => _subscribed.TrySetResult();

    public void RequestReplacement(string reason) => _replaceRequested.TrySetResult(reason);

    /// <summary>Sends a request, paced under the exchange's incoming-message limit.</summary>
    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        await limiter.WaitAsync(cancellationToken);
        await Socket.SendTextAsync(text, cancellationToken);
    }

    /// <summary>Receipt time for a frame just read.</summary>
    public UnixMicros Now() => UnixMicros.Now(time);
}
