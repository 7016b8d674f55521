namespace K2.Grains.Exchanges.WebSockets;

/// <summary>
/// Delays between reconnect attempts: exponential from <c>initial</c> to <c>max</c> with full jitter, so a fleet of
/// sessions cut at once does not reconnect at once (exchanges ban IPs that reconnect in storms). A connection that
/// stayed up longer than <c>max</c> counts as healthy and resets the sequence.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _failures;

    public TimeSpan NextDelay()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30)));
        _failures++;
        // Full jitter, floored at half the initial delay so attempts are never back to back.
        return TimeSpan.FromMilliseconds(Math.Max(initial.TotalMilliseconds / 2, random.NextDouble() * ceiling));
    }

    /// <summary>Called when a connection ends; a long-lived one resets the backoff.</summary>
    public void OnDisconnected(TimeSpan connectionLifetime)
    {
        if (connectionLifetime >= max)
        {
            _failures = 0;
        }
    }
}
