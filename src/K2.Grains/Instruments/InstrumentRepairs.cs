using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;

namespace K2.Grains.Instruments;

/// <summary>A backfill request to queue, due after <see cref="Delay"/>.</summary>
internal readonly record struct QueuedBackfill(BackfillRequest Request, TimeSpan Delay);

/// <summary>What a finished gap request showed.</summary>
internal enum GapVerdict
{
    /// <summary>Not a gap request, or one this instrument no longer waits for.</summary>
    None,

    /// <summary>Nothing of the gap is missing any more.</summary>
    Repaired,

    /// <summary>Still missing: asked again (<see cref="BackfillOutcome.Next"/>).</summary>
    Retried,

    /// <summary>Still missing after the last attempt: given up (<see cref="BackfillOutcome.Abandoned"/> ids).</summary>
    Abandoned,
}

/// <summary>What an instrument does once a backfill is done: maybe queue <see cref="Next"/>; for a gap, its verdict.</summary>
internal sealed record BackfillOutcome(QueuedBackfill? Next, GapVerdict Verdict = GapVerdict.None, long Abandoned = 0);

/// <summary>
/// The repair bookkeeping of one instrument, without I/O: which backfills it asks for (gaps, catch-ups after a possible
/// loss, probes after a quiet spell), what it still waits for, what a finished one means, and when to ask again because
/// the queue holding its requests may be gone. The requests go to the backfill queue of the exchange grain of the
/// instrument's shard, which lives on a silo of its own: every request this class hands out is remembered (the open
/// gaps of the tracker, the pending catch-up and probe) until its outcome comes, so all of it can be asked again when
/// a call failed or the exchange grain answers from another queue (<see cref="QueueSeen"/>). Asking twice is harmless:
/// the worker first asks what is still missing, and the tracker drops trades it has.
/// </summary>
internal sealed class InstrumentRepairs(Instrument instrument, TradeSequenceTracker tracker, bool sequentialIds, IngestOptions options)
{
    // One catch-up in the queue at a time; a possible loss while one runs asks for another when it finishes, since
    // the running one may have chosen its end before that loss.
    private BackfillRequest? _catchUp;
    private bool _catchUpAgain;

    // When the last new trade was passed on (wall clock), and the quiet spell after which trade was probed or is queued
    // for a probe: one probe per spell.
    private DateTimeOffset? _lastNewTradeAt;
    private DateTimeOffset? _probedAfter;
    private DateTimeOffset? _probeQueuedAfter;
    private BackfillRequest? _probe;

    // The queue that holds what this instrument waits for, as far as it knows; and whether it must ask again anyway.
    private Guid? _queueId;
    private bool _askAgain;

    /// <summary>A catch-up is queued or running: trades after the last one passed on may be missing.</summary>
    public bool CatchUpPending => _catchUp is not null;

    /// <summary>Something asked for has not come back yet: an open gap, a catch-up, a probe.</summary>
    public bool Waiting => tracker.OpenGaps.Count > 0 || _catchUp is not null || _probe is not null;

    /// <summary>A new trade was passed on at <paramref name="at"/>.</summary>
    public void TradePassedOn(DateTimeOffset at) => _lastNewTradeAt = at;

    /// <summary>A gap the tracker just found (or restored); after <paramref name="grace"/>, since a late frame may fill it first.</summary>
    public QueuedBackfill GapFound(TradeGap gap, TimeSpan grace) => new(GapRequest(gap), grace);

    /// <summary>Trades may have been lost without a visible gap: a catch-up, unless one is pending (then one more after it).</summary>
    public QueuedBackfill? PossibleLoss()
    {
        if (_catchUp is not null)
        {
            _catchUpAgain = true;
            return null;
        }

        return CatchUp();
    }

    /// <summary>The probe due at <paramref name="now"/>, if the instrument has been quiet long enough and this spell was not probed yet.</summary>
    public QueuedBackfill? ProbeDue(DateTimeOffset now)
    {
        var quietAfter = options.QuietProbeAfter;
        if (quietAfter <= TimeSpan.Zero || _lastNewTradeAt is not { } last || _probeQueuedAfter is not null || _probedAfter == last
            || now - last < quietAfter)
        {
            return null;
        }

        _probeQueuedAfter = last;
        _probe = new BackfillRequest(instrument, BackfillReason.Probe, tracker.HighestId + 1, null, tracker.NewestTime, null);
        return new QueuedBackfill(_probe, TimeSpan.Zero);
    }

    /// <summary>How long the quiet spell of the queued probe had lasted at <paramref name="now"/>.</summary>
    public TimeSpan QuietFor(DateTimeOffset now) => _lastNewTradeAt is { } last ? now - last : TimeSpan.Zero;

    /// <summary>A gap open too long that no request covers: asked for again, at once.</summary>
    public QueuedBackfill Overdue(TradeGap gap) => new(GapRequest(gap), TimeSpan.Zero);

    /// <summary>The exchange grain took <paramref name="request"/> as <paramref name="receipt"/> says; false when the queue was full.</summary>
    public bool Sent(BackfillRequest request, BackfillReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(receipt);
        if (_queueId is null)
        {
            _queueId = receipt.QueueId;
        }
        else if (_queueId != receipt.QueueId)
        {
            // Another queue than the one holding the earlier requests: the next watch asks again for all of them.
            _askAgain = true;
        }

        if (!receipt.Queued)
        {
            Refused(request);
        }

        return receipt.Queued;
    }

    /// <summary>A call to the exchange grain failed: whether the request got anywhere is unknown, so everything is asked again.</summary>
    public void SendFailed() => _askAgain = true;

    /// <summary>
    /// The exchange grain now queues in <paramref name="queueId"/>: if that is not the queue holding what this instrument
    /// waits for (or a call failed since), everything it waits for, to be asked again; otherwise nothing.
    /// </summary>
    public IReadOnlyList<QueuedBackfill> QueueSeen(Guid queueId)
    {
        if (_queueId == queueId && !_askAgain)
        {
            return [];
        }

        (_queueId, _askAgain) = (queueId, false);
        List<QueuedBackfill> again = [.. tracker.OpenGaps.Select(gap => new QueuedBackfill(GapRequest(gap), TimeSpan.Zero))];
        if (_catchUp is { } catchUp)
        {
            again.Add(new QueuedBackfill(catchUp, TimeSpan.Zero));
        }

        if (_probe is { } probe)
        {
            again.Add(new QueuedBackfill(probe, TimeSpan.Zero));
        }

        return again;
    }

    /// <summary>Nothing is <see cref="Waiting"/>, so nothing can be lost: the next request decides which queue holds this instrument's requests.</summary>
    public void Forget() => (_queueId, _askAgain) = (null, false);

    /// <summary>
    /// A backfill this instrument asked for is done; <paramref name="succeeded"/> false when the exchange did not answer.
    /// A catch-up or probe it no longer waits for (asked twice, done twice) changes nothing.
    /// </summary>
    public BackfillOutcome Done(BackfillRequest request, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Reason == BackfillReason.CatchUp && _catchUp is null) || (request.Reason == BackfillReason.Probe && _probe is null))
        {
            return new BackfillOutcome(null);
        }

        if (!succeeded)
        {
            // Not an attempt: the exchange did not answer. Try again, waiting longer each time, for as long as it takes.
            var delay = TimeSpan.FromTicks(Math.Min(
                options.BackfillRetryDelay.Ticks << Math.Min(request.Failures, 16), options.MaxBackfillRetryDelay.Ticks));
            var retry = request with { Failures = request.Failures + 1 };
            if (request.Reason == BackfillReason.CatchUp)
            {
                _catchUp = retry;
            }
            else if (request.Reason == BackfillReason.Probe)
            {
                _probe = retry;
            }

            return new BackfillOutcome(new QueuedBackfill(retry, delay));
        }

        switch (request.Reason)
        {
            case BackfillReason.Probe:
                _probedAfter = _probeQueuedAfter;
                (_probeQueuedAfter, _probe) = (null, null);
                return new BackfillOutcome(null);
            case BackfillReason.CatchUp:
                _catchUp = null;
                if (!_catchUpAgain)
                {
                    return new BackfillOutcome(null);
                }

                _catchUpAgain = false;
                return new BackfillOutcome(CatchUp());
        }

        if (request is not { Reason: BackfillReason.Gap, FromId: { } from, ToId: { } to })
        {
            return new BackfillOutcome(null);
        }

        if (MissingWithin(from, to) == 0)
        {
            return new BackfillOutcome(null, GapVerdict.Repaired);
        }

        if (request.Attempt < options.MaxBackfillAttempts)
        {
            return new BackfillOutcome(
                new QueuedBackfill(request with { Attempt = request.Attempt + 1, Failures = 0 }, options.BackfillRetryDelay * request.Attempt),
                GapVerdict.Retried);
        }

        return new BackfillOutcome(null, GapVerdict.Abandoned, tracker.Abandon(from, to));
    }

    /// <summary>What of <paramref name="request"/> is still to fetch, as the worker asks before fetching; null when nothing is.</summary>
    public BackfillRequest? StillMissing(BackfillRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Reason == BackfillReason.Probe)
        {
            // Ids without holes show a dropped trade as a gap at the next one: a trade since the probe was queued makes it
            // needless. Otherwise fetch from the newest trade passed on by now.
            return sequentialIds && _lastNewTradeAt > _probeQueuedAfter
                ? null
                : request with { FromId = tracker.HighestId + 1, After = tracker.NewestTime };
        }

        if (request is { Reason: BackfillReason.CatchUp, FromId: { } next } && tracker.HighestId >= next && sequentialIds)
        {
            // Ids without holes: the trades passed on since it was queued show any loss before them as a gap, which has
            // its own request. Under a storm of reconnects this spares one REST page per instrument and reconnect.
            return null;
        }

        if (request is not { Reason: BackfillReason.Gap, FromId: { } from, ToId: { } to })
        {
            return request;
        }

        var open = tracker.GapsWithin(from, to);
        return open.Count == 0
            ? null
            : request with { FromId = Math.Max(from, open[0].FromId), ToId = Math.Min(to, open[^1].ToId) };
    }

    /// <summary>The queue refused <paramref name="request"/> (full): what it stood for is no longer pending.</summary>
    private void Refused(BackfillRequest request)
    {
        if (request.Reason == BackfillReason.CatchUp)
        {
            _catchUp = null;
        }
        else if (request.Reason == BackfillReason.Probe)
        {
            (_probeQueuedAfter, _probe) = (null, null);
        }
    }

    private QueuedBackfill? CatchUp()
    {
        // Nothing passed on yet (and nothing stored): there is no point to catch up from.
        if (tracker.HighestId is null && tracker.NewestTime is null)
        {
            return null;
        }

        _catchUp = new BackfillRequest(instrument, BackfillReason.CatchUp, tracker.HighestId + 1, null, tracker.NewestTime, null);
        return new QueuedBackfill(_catchUp, TimeSpan.Zero);
    }

    private BackfillRequest GapRequest(TradeGap gap) => new(instrument, BackfillReason.Gap, gap.FromId, gap.ToId, gap.After, gap.Before);

    private long MissingWithin(long from, long to) =>
        tracker.GapsWithin(from, to).Sum(g => Math.Min(g.ToId, to) - Math.Max(g.FromId, from) + 1);
}
