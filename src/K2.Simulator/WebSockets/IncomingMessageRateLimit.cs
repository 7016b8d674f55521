namespace K2.Simulator.WebSockets;

/// <summary>
/// A sliding-window count of the messages a client sent: at most <c>maxMessages</c> in any <c>window</c>.
/// Thread-safe, because data messages are counted by the receive loop and control frames inside the transport.
/// </summary>
internal sealed class IncomingMessageRateLimit(int maxMessages, TimeSpan window, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<long> _recent = new(maxMessages);

    /// <summary>Counts one message; false when it is one too many for the window.</summary>
    public bool TryRecord()
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            while (_recent.Count > 0 && time.GetElapsedTime(_recent.Peek(), now) >= window)
            {
                _recent.Dequeue();
            }

            if (_recent.Count >= maxMessages)
            {
                return false;
            }

            _recent.Enqueue(now);
            return true;
        }
    }
}
