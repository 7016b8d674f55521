using K2.Core;
using K2.Grains.Exchanges.WebSockets;

namespace K2.Grains.Exchanges.Sessions;

/// <summary>
/// One WebSocket connection of a session: its identity (kept in bronze), frame numbering, liveness, subscription
/// progress and the venue's requests to replace it. The session's supervisor owns its lifetime.
/// </summary>
internal sealed class SessionConnection(ExchangeWebSocket socket, string id, OutgoingMessageLimiter limiter, TimeProvider time)
{
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _replaceRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _frames;
    private long _lastFrameTicks = time.GetUtcNow().UtcTicks;

    /// <summary>Unique across silos and restarts: exchange, process instance, connection number.</summary>
    public string Id { get; } = id;

    public DateTimeOffset ConnectedAt { get; } = time.GetUtcNow();

    public ExchangeWebSocket Socket { get; } = socket;

    /// <summary>Completes once the venue has every subscription acknowledged.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>Completes, with the reason, when the venue asks for this connection to be replaced (Binance serverShutdown, age).</summary>
    public Task<string> ReplaceRequested => _replaceRequested.Task;

    public DateTimeOffset LastFrameAt => new(Interlocked.Read(ref _lastFrameTicks), TimeSpan.Zero);

    /// <summary>Counts a received frame and returns its number on this connection (1, 2, …).</summary>
    public long OnFrame()
    {
        Interlocked.Exchange(ref _lastFrameTicks, time.GetUtcNow().UtcTicks);
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
