using System.Globalization;
using K2.Core;
using K2.Core.Instruments;

namespace K2.Grains.Backfill;

/// <summary>
/// One exchange's pending backfills, each due at a time: a gap waits a short grace period first, because a reordered
/// frame or an overlapping connection usually fills it within milliseconds. Instrument grains add without waiting;
/// the exchange's <see cref="BackfillWorker"/> takes requests as they fall due. Repairs (gaps, catch-ups) come first;
/// a <see cref="BackfillReason.Probe"/> of a quiet instrument is taken only when no repair is due, and at most one per
/// <paramref name="probeSpacing"/>, so probes of every instrument going quiet at once neither starve repairs nor spend
/// the exchange's whole REST budget. Bounded: past the cap, new requests are refused (and counted by the caller); the
/// next reconnect or gap asks again.
/// </summary>
public sealed class BackfillQueue(Exchange exchange, TimeProvider time, TimeSpan probeSpacing = default, int capacity = BackfillQueue.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    private readonly PriorityQueue<BackfillRequest, (DateTimeOffset Due, long Order)> _repairs = new();
    private readonly PriorityQueue<BackfillRequest, (DateTimeOffset Due, long Order)> _probes = new();
    private readonly SemaphoreSlim _changed = new(0);
    private long _order;
    private DateTimeOffset _nextProbeAt;

    public Exchange Exchange => exchange;

    /// <summary>
    /// This queue's incarnation. It lives as long as its silo: an instrument that finds its exchange grain answering
    /// from a queue with another id knows the requests it still waits for may have gone with the old one.
    /// </summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>The request the worker took last, until it is finished.</summary>
    public BackfillProgress Progress { get; } = new(time);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _repairs.Count + _probes.Count;
            }
        }
    }

    /// <summary>Repairs (gaps and catch-ups) queued or in flight: zero once everything K2 knows to be missing was fetched.</summary>
    public int RepairsPending
    {
        get
        {
            lock (_gate)
            {
                return _repairs.Count + (Progress.Current is { Request.Reason: not BackfillReason.Probe } ? 1 : 0);
            }
        }
    }

    /// <summary>Adds a request due after <paramref name="delay"/>; false when the queue is full.</summary>
    public bool TryEnqueue(BackfillRequest request, TimeSpan delay)
    {
        lock (_gate)
        {
            if (_repairs.Count + _probes.Count >= capacity)
            {
                return false;
            }

            (request.Reason == BackfillReason.Probe ? _probes : _repairs).Enqueue(request, (time.GetUtcNow() + delay, _order++));
        }

        _changed.Release();
        return true;
    }

    /// <summary>The next request once it is due (repairs earliest first, then probes as their pace allows); it is then in <see cref="Progress"/>.</summary>
    public async Task<BackfillRequest> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = Timeout.InfiniteTimeSpan;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_repairs.TryPeek(out var repair, out var repairKey))
                {
                    if (repairKey.Due <= now)
                    {
                        _repairs.Dequeue();
                        Progress.Started(repair);
                        return repair;
                    }

                    wait = repairKey.Due - now;
                }

                if (_probes.TryPeek(out var probe, out var probeKey))
                {
                    var probeAt = probeKey.Due > _nextProbeAt ? probeKey.Due : _nextProbeAt;
                    if (probeAt <= now)
                    {
                        _probes.Dequeue();
                        _nextProbeAt = now + probeSpacing;
                        Progress.Started(probe);
                        return probe;
                    }

                    if (wait == Timeout.InfiniteTimeSpan || probeAt - now < wait)
                    {
                        wait = probeAt - now;
                    }
                }
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

    /// <summary>
    /// Where the repair of <paramref name="instrument"/>'s missing ids [<paramref name="fromId"/>, <paramref name="toId"/>]
    /// stands: in flight (and what it waits for) or queued (due when, behind how many due repairs); null when no request
    /// covers them.
    /// </summary>
    public string? DescribeRepair(Instrument instrument, long fromId, long toId)
    {
        var now = time.GetUtcNow();
        var inFlight = Progress.Current;
        if (inFlight is not null && Covers(inFlight.Request, instrument, fromId, toId))
        {
            return $"in flight {Describe(inFlight)}";
        }

        lock (_gate)
        {
            foreach (var (request, key) in _repairs.UnorderedItems)
            {
                if (Covers(request, instrument, fromId, toId))
                {
                    var ahead = _repairs.UnorderedItems.Count(other => other.Priority.CompareTo(key) < 0);
                    var retrying = request.Failures > 0 ? $"retrying after {request.Failures} unanswered fetch(es), " : "";
                    var worker = inFlight is null ? "the worker is idle" : $"the worker is on {inFlight.Request} {Describe(inFlight)}";
                    return $"queued, {retrying}due {(key.Due > now ? "at" : "since")} {Clock(key.Due)}, {ahead} request(s) ahead; {worker}";
                }
            }
        }

        return null;
    }

    private static bool Covers(BackfillRequest request, Instrument instrument, long fromId, long toId) =>
        request is { Reason: BackfillReason.Gap, FromId: { } from, ToId: { } to }
        && request.Instrument.Key == instrument.Key
        && from <= toId && to >= fromId;

    private static string Describe(InFlightBackfill inFlight) => inFlight.WaitingUntil is { } until
        ? $"since {Clock(inFlight.Since)}, waiting until {Clock(until)} for {inFlight.WaitingFor}"
        : $"since {Clock(inFlight.Since)}";

    private static string Clock(DateTimeOffset instant) => instant.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
