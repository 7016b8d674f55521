namespace K2.Simulator.Binance;

/// <summary>
/// The REQUEST_WEIGHT one IP has used: every charge counts for one interval after it was made (a rolling window, so
/// a test can reason about exact instants), and a request that would take the total over the limit is refused with
/// the time until enough earlier charges expire. Refused requests cost nothing. Thread-safe.
/// </summary>
internal sealed class BinanceRequestWeight(int limit, TimeSpan interval)
{
    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, int Weight)> _charges = new();
    private int _used;

    /// <summary>The weight used in the interval that ends at <paramref name="now"/>.</summary>
    public int Used(DateTimeOffset now)
    {
        lock (_gate)
        {
            Expire(now);
            return _used;
        }
    }

    /// <summary>
    /// Charges <paramref name="weight"/> if it fits under the limit. Either way <paramref name="used"/> is the weight
    /// used afterwards; when refused, <paramref name="retryAfter"/> is how long until the request would fit.
    /// </summary>
    public bool TryCharge(DateTimeOffset now, int weight, out int used, out TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, limit);
        lock (_gate)
        {
            Expire(now);
            if (_used + weight <= limit)
            {
                _charges.Enqueue((now, weight));
                _used += weight;
                used = _used;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            // The oldest charges expire first: find the one whose expiry frees enough.
            var stillUsed = _used;
            retryAfter = interval;
            foreach (var (at, charged) in _charges)
            {
                stillUsed -= charged;
                if (stillUsed + weight <= limit)
                {
                    retryAfter = at + interval - now;
                    break;
                }
            }

            used = _used;
            return false;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_charges.Count > 0 && _charges.Peek().At + interval <= now)
        {
            _used -= _charges.Dequeue().Weight;
        }
    }
}
