namespace K2.Grains.Backfill;

/// <summary>
/// The request one exchange's backfill worker is working on, since when, and what it waits for (the REST gate, a
/// retry after a failed call), so an overdue gap can say where its repair stands. Set by the queue when a request is
/// taken, by the REST pager while it waits, and by the worker when the instrument has been told the outcome.
/// </summary>
public sealed class BackfillProgress(TimeProvider time)
{
    private readonly Lock _gate = new();
    private InFlightBackfill? _current;

    /// <summary>The request in flight, or null when the worker is idle.</summary>
    public InFlightBackfill? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public void Started(BackfillRequest request)
    {
        lock (_gate)
        {
            _current = new InFlightBackfill(request, time.GetUtcNow(), null, null);
        }
    }

    /// <summary>The request in flight cannot go on before <paramref name="until"/>, because of <paramref name="reason"/>.</summary>
    public void Waiting(DateTimeOffset until, string reason)
    {
        lock (_gate)
        {
            _current = _current is null ? null : _current with { WaitingUntil = until, WaitingFor = reason };
        }
    }

    /// <summary>The wait is over; the request is on the wire.</summary>
    public void Proceeding()
    {
        lock (_gate)
        {
            _current = _current is null ? null : _current with { WaitingUntil = null, WaitingFor = null };
        }
    }

    /// <summary>The instrument has the outcome (and has queued a retry if one is needed).</summary>
    public void Finished()
    {
        lock (_gate)
        {
            _current = null;
        }
    }
}

/// <summary>A backfill request being worked on since <see cref="Since"/>, waiting until <see cref="WaitingUntil"/> for <see cref="WaitingFor"/> if it is.</summary>
public sealed record InFlightBackfill(BackfillRequest Request, DateTimeOffset Since, DateTimeOffset? WaitingUntil, string? WaitingFor);
