namespace K2.Grains.Exchanges.Sessions;

/// <summary>
/// Paces the messages a connection sends to stay under the exchange's per-second limit (Binance cuts a connection
/// over 5 messages a second, Coinbase allows 8): a sliding window of a little over a second on the injected clock.
/// </summary>
internal sealed class OutgoingMessageLimiter(int perSecond, TimeProvider time)
{
    /// <summary>
    /// A second plus a margin: a message is counted when it is let go, but reaches the exchange after scheduling and
    /// network delays, which can bunch messages closer together on the exchange's clock than they left ours.
    /// </summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1.25);
    private readonly Queue<DateTimeOffset> _sent = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var now = time.GetUtcNow();
                while (_sent.TryPeek(out var oldest) && oldest + Window <= now)
                {
                    _sent.Dequeue();
                }

                if (_sent.Count < perSecond)
                {
                    _sent.Enqueue(now);
                    return;
                }

                await Task.Delay(_sent.Peek() + Window - now, time, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
