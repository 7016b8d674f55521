namespace K2.Grains.Exchanges.Sessions;

/// <summary>
/// Paces the messages a connection sends to stay under the exchange's per-second limit (Binance cuts a connection
/// over 5 messages a second, Coinbase allows 8): a sliding one-second window on the injected clock.
/// </summary>
internal sealed class OutgoingMessageLimiter(int perSecond, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
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
