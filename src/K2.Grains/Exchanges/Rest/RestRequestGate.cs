namespace K2.Grains.Exchanges.Rest;

/// <summary>
/// Keeps one exchange's REST calls inside its limit: a weight budget per rolling window (Binance: 6,000 per minute,
/// 25 per trades page; Kraken and Coinbase: a request count), and a pause until a time the exchange names
/// (<c>Retry-After</c> on 429/418, or after Kraken's throttling reply). Callers wait; nobody is refused.
/// </summary>
internal sealed class RestRequestGate(int budget, TimeSpan window, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, int Weight)> _spent = new();
    private int _spentWeight;
    private DateTimeOffset _pausedUntil;

    /// <summary>
    /// Waits until <paramref name="weight"/> fits the budget and no pause is in force, then spends it. Before each wait,
    /// <paramref name="waiting"/> hears until when and why.
    /// </summary>
    public async Task WaitAsync(int weight, CancellationToken cancellationToken, Action<DateTimeOffset, string>? waiting = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, budget);
        while (true)
        {
            TimeSpan wait;
            string why;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                while (_spent.TryPeek(out var oldest) && oldest.At + window <= now)
                {
                    _spentWeight -= _spent.Dequeue().Weight;
                }

                if (now < _pausedUntil)
                {
                    wait = _pausedUntil - now;
                    why = "a pause the exchange asked for";
                }
                else if (_spentWeight + weight <= budget)
                {
                    _spent.Enqueue((now, weight));
                    _spentWeight += weight;
                    return;
                }
                else
                {
                    wait = _spent.Peek().At + window - now;
                    why = $"the REST budget ({_spentWeight} of {budget} spent in the last {window.TotalSeconds:0} s)";
                }
            }

            waiting?.Invoke(time.GetUtcNow() + wait, why);
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>No request goes out before <paramref name="until"/> (later pauses extend, earlier ones do not shorten).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }
}
