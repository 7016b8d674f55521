using K2.Core;

namespace K2.Grains.Backfill;

/// <summary>
/// One exchange's pending backfills, each due at a time: a gap waits a short grace period first, because a reordered
/// frame or an overlapping connection usually fills it within milliseconds. Instrument grains add without waiting;
/// the exchange's <see cref="BackfillWorker"/> takes requests as they fall due. Bounded: past the cap, new requests
/// are refused (and counted by the caller); the next reconnect or gap asks again.
/// </summary>
public sealed class BackfillQueue(Exchange exchange, TimeProvider time, int capacity = BackfillQueue.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    private readonly PriorityQueue<BackfillRequest, (DateTimeOffset Due, long Order)> _pending = new();
    private readonly SemaphoreSlim _changed = new(0);
    private long _order;

    public Exchange Exchange => exchange;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Adds a request due after <paramref name="delay"/>; false when the queue is full.</summary>
    public bool TryEnqueue(BackfillRequest request, TimeSpan delay)
    {
        lock (_gate)
        {
            if (_pending.Count >= capacity)
            {
                return false;
            }

            _pending.Enqueue(request, (time.GetUtcNow() + delay, _order++));
        }

        _changed.Release();
        return true;
    }

    /// <summary>The next request once it is due, earliest first.</summary>
    public async Task<BackfillRequest> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_pending.TryPeek(out var next, out var key) && key.Due <= now)
                {
                    _pending.Dequeue();
                    return next;
                }

                wait = _pending.Count == 0 ? Timeout.InfiniteTimeSpan : key.Due - now;
            }

            // Woken by a new request (which may be due sooner) or by the earliest one falling due.
            using var due = new CancellationTokenSource(wait, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(due.Token, cancellationToken);
            try
            {
                await _changed.WaitAsync(either.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The earliest request fell due.
            }
        }
    }
}
