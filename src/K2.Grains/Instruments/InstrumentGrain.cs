using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Storage.Candles;
using K2.Storage.Trades;
using K2.Storage.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Instruments;

/// <summary>
/// Passes each trade of one instrument to the hot store exactly once, and keeps the instrument complete: a jump in
/// trade ids is fetched over REST after a short grace, a possible loss (reconnect, restart, sequence gap) triggers a
/// catch-up from the last trade, and ids the exchange never returns after several answered fetches are reported as
/// lost (and still taken should they come). On activation it resumes from the hot store: after the last trade stored,
/// with the holes stored trades show (a gap that was still being fetched when K2 stopped) reopened and fetched.
/// It also rolls the instrument's candles (<see cref="CandleBook"/>) from exactly the trades it passes on, writing changed
/// candles at most every <see cref="IngestOptions.CandleWriteInterval"/>; a trade for a bucket that may hold trades it
/// has not seen (stored before a restart, or evicted from memory) first has that bucket recomputed from the store.
/// Every second it also watches itself: a gap open longer than <see cref="IngestOptions.GapOverdueAfter"/> is reported
/// with where its repair stands (and queued again if nothing covers it), and once it has been quiet for
/// <see cref="IngestOptions.QuietProbeAfter"/> after a trade it probes REST for trades the stream may have dropped just
/// before the silence.
/// The grain forwards: the repair bookkeeping is <see cref="InstrumentRepairs"/>, the resume <see cref="InstrumentResume"/>,
/// the candles <see cref="InstrumentCandles"/>. Backfills are queued by the exchange grain of the instrument's shard, which
/// may run on another silo (<see cref="ShardBackfills"/>; those calls interleave on the exchange grain, so they cannot
/// deadlock with its calls into this grain), and asked for again when the queue holding them may be gone.
/// Kept alive: instruments are few, and their gap state must not be collected while a backfill is pending.
/// </summary>
[KeepAlive]
[GrainType("instrument")]
internal sealed partial class InstrumentGrain(
    InstrumentRegistry registry,
    BatchedTableWriter<Trade> silverTrades,
    BatchedTableWriter<Candle> candleWriter,
    TradeQueries storedTrades,
    CandleQueries storedCandles,
    IngestSessions sessions,
    LatestTradeWindows latestTrades,
    IOptions<IngestOptions> options,
    IOptions<ExchangesOptions> exchanges,
    IngestMetrics metrics,
    MembershipChanges membershipChanges,
    TimeProvider time,
    ILogger<InstrumentGrain> logger) : Grain, IInstrumentGrain
{
    /// <summary>How often the grain looks for overdue gaps, a quiet spell to probe, and a lost backfill queue.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest wait for the exchange grain (real time): a silo that hangs would otherwise hold this grain, and the trades
    /// waiting on it, for Orleans' whole response timeout. The request is asked again on a later watch tick.
    /// </summary>
    private static readonly TimeSpan ExchangeCallLimit = TimeSpan.FromSeconds(5);

    private TradeSequenceTracker _tracker = new();
    private bool _sequentialIds;
    private Instrument _instrument = null!;
    private InstrumentCandles _candles = null!;
    private LatestTradesWindow _latest = null!;
    private long _membershipVersion;
    private InstrumentRepairs _repairs = null!;
    private ShardBackfills _backfills = null!;
    private (int Count, long Missing, UnixMicros? Oldest) _publishedGaps;

    // A stalled store: when this instrument first handed trades back.
    private DateTimeOffset? _storeBusySince;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !ExchangeNames.TryParse(key.AsSpan(0, slash), out var exchange) || !registry.TryGet(exchange, key[(slash + 1)..], out var instrument))
        {
            throw new InvalidOperationException($"'{key}' is not an instrument of the registry.");
        }

        _instrument = instrument;
        _latest = latestTrades.Open(instrument.Exchange, instrument.Symbol);
        _sequentialIds = exchanges.Value.TradeIdsAreSequential(exchange);
        _tracker = new TradeSequenceTracker(_sequentialIds, time: time);
        _repairs = new InstrumentRepairs(instrument, _tracker, _sequentialIds, options.Value);
        var shard = sessions.ShardOf(instrument);
        if (shard is null)
        {
            LogNoShard(logger, instrument.Key);
        }

        _backfills = new ShardBackfills(
            instrument, shard is null ? null : GrainFactory.GetGrain<IExchangeGrain>(shard.Key), _repairs, ExchangeCallLimit, logger);

        using var resumeLimit = new StoreWaitDeadline(options.Value.ResumeTimeLimit, time, cancellationToken);
        var resume = await new InstrumentResume(
            storedTrades, _sequentialIds, options.Value.ResumeGapWindow, options.Value.MaxRestoredGaps, time, logger).ResumeAsync(instrument, _tracker, resumeLimit);
        _candles = new InstrumentCandles(
            new CandleBook(instrument, resume.StoredThrough, options.Value.CandleMemoryWindow),
            silverTrades, candleWriter, storedCandles, metrics, InstrumentCandles.DefaultStoreReadLimit, options.Value.CandleSettleAfter, time, logger);
        // A new activation may overlap an old one for a moment (a silo left or joined): settle what it rolls, once calm.
        _membershipVersion = membershipChanges.Version;
        _candles.SettleAllLater();
        if (resume.FromStore)
        {
            // Every trade stored after the newest one stored now goes through this activation. With none in the hot
            // tier, the cold tier holds only what the hot tier's 30 days let go (or an old backfill): nothing of the last day.
            _latest.CompleteAfter(resume.StoredThrough ?? new UnixMicros(UnixMicros.Now(time).Value - (TimeSpan.TicksPerDay / TimeSpan.TicksPerMicrosecond)));
            await _candles.RewriteNewestStoredAsync(cancellationToken);
            _candles.OweRecentlyClosed();
        }

        foreach (var hole in resume.Holes)
        {
            metrics.GapDetected(instrument.Exchange, hole.Count);
            LogGap(logger, instrument.Key, hole.FromId, hole.ToId, hole.Count);
            await _backfills.QueueAsync(_repairs.GapFound(hole, TimeSpan.Zero));
        }

        this.RegisterGrainTimer(ct => _candles.WriteChangedAsync(waitForRoom: false, ct), options.Value.CandleWriteInterval, options.Value.CandleWriteInterval);
        this.RegisterGrainTimer(WatchAsync, WatchInterval, WatchInterval);
        PublishGaps();
    }

    /// <summary>
    /// Writes the candles still changed, waiting for room as long as the stop allows: the silo deactivates grains before
    /// the writers stop.
    /// </summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        latestTrades.Close(_instrument.Exchange, _instrument.Symbol, _latest);
        return _candles.WriteChangedAsync(waitForRoom: true, cancellationToken);
    }

    public async Task<int> OnTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        using var storeWait = new StoreWaitDeadline(options.Value.StoreWaitLimit, time, cancellationToken);
        var taken = 0;
        TradeId? handingOver = null;
        List<QueuedBackfill>? gaps = null;
        try
        {
            await _candles.LoadBucketsOfAsync(trades, trade => _tracker.IsNew(trade.TradeId), cancellationToken);
            DateTimeOffset? batchTime = null; // one clock read per batch, not per trade
            for (; taken < trades.Count; taken++)
            {
                var trade = trades[taken];
                if (!_tracker.IsNew(trade.TradeId))
                {
                    metrics.Duplicate(trade.Exchange);
                    continue;
                }

                // Recorded as passed on only once the writer has it: a trade that never reached it may come again. The
                // latest-trades window has it first, so the writer's word that it landed cannot come before it.
                _latest.Add(trade);
                handingOver = trade.TradeId;
                if (!silverTrades.TryWrite(trade))
                {
                    await silverTrades.WriteAsync(trade, storeWait.Token);
                }

                handingOver = null;

                metrics.Stored(trade.Exchange);
                _repairs.TradePassedOn(batchTime ??= time.GetUtcNow());
                _candles.Add(trade);
                if (_tracker.Record(trade.TradeId, trade.ExchangeTime) is { } gap)
                {
                    metrics.GapDetected(trade.Exchange, gap.Count);
                    LogGap(logger, _instrument.Key, gap.FromId, gap.ToId, gap.Count);
                    (gaps ??= []).Add(_repairs.GapFound(gap, options.Value.GapGrace));
                }
            }
        }
        catch (OperationCanceledException) when (storeWait.Expired)
        {
            if (handingOver is { } id)
            {
                _latest.Remove(id);
            }

            metrics.StoreBusy(_instrument.Exchange);
            if (_storeBusySince is null)
            {
                _storeBusySince = time.GetUtcNow();
                LogStoreBusy(logger, _instrument.Key, storeWait.Limit, trades.Count - taken);
            }
        }

        if (taken == trades.Count && _storeBusySince is { } since)
        {
            _storeBusySince = null;
            LogStoreTakesTradesAgain(logger, _instrument.Key, time.GetUtcNow() - since);
        }

        foreach (var dropped in _tracker.TrimGaps())
        {
            metrics.GapAbandoned(_instrument.Exchange, dropped.Count);
            LogAbandoned(logger, _instrument.Key, dropped.FromId, dropped.ToId, dropped.Count, "too many open gaps");
        }

        PublishGaps();

        // Once the batch is through: a gap waits its grace anyway, and the trades need not wait for the exchange grain.
        foreach (var gap in gaps ?? [])
        {
            await _backfills.QueueAsync(gap);
        }

        return taken;
    }

    public async Task OnPossibleLossAsync(string reason, CancellationToken cancellationToken)
    {
        // Decided before the call: a loss interleaved while it is out coalesces with this catch-up.
        var catchUp = _repairs.PossibleLoss();
        PublishGaps();
        if (catchUp is { } request)
        {
            await _backfills.QueueAsync(request);
            PublishGaps();
        }
    }

    // Owed like the newest stored buckets at activation: if the store cannot answer in time, the watch timer tries again.
    public Task OnTradesStoredElsewhereAsync(UnixMicros from, UnixMicros to, CancellationToken cancellationToken) =>
        _candles.RewriteHeldWithinAsync(from, to, cancellationToken);

    public async Task OnBackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken)
    {
        var outcome = _repairs.Done(request, succeeded);
        switch (outcome.Verdict)
        {
            case GapVerdict.Repaired:
                metrics.GapRepaired(_instrument.Exchange);
                LogRepaired(logger, _instrument.Key, request.FromId!.Value, request.ToId!.Value);
                break;
            case GapVerdict.Abandoned:
                metrics.GapAbandoned(_instrument.Exchange, outcome.Abandoned);
                LogAbandoned(logger, _instrument.Key, request.FromId!.Value, request.ToId!.Value, outcome.Abandoned,
                    $"not on REST after {request.Attempt} answered fetches");
                break;
        }

        if (outcome.Next is { } next)
        {
            await _backfills.QueueAsync(next);
        }

        PublishGaps();
    }

    public Task<BackfillRequest?> GetStillMissingAsync(BackfillRequest request) => Task.FromResult(_repairs.StillMissing(request));

    public Task<InstrumentStatus> GetStatusAsync() => Task.FromResult(new InstrumentStatus(
        _instrument.Key,
        _tracker.HighestId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _tracker.NewestTime?.ToDateTimeOffset(),
        _tracker.OpenGaps.Count,
        _tracker.MissingCount,
        _tracker.OldestGapDetectedAt?.ToDateTimeOffset()));

    /// <summary>
    /// Settles closed candles, asks again for what a lost backfill queue held, reports gaps that have been open too long,
    /// and probes REST once a quiet spell has lasted.
    /// </summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (membershipChanges.Version != _membershipVersion)
        {
            _membershipVersion = membershipChanges.Version;
            _candles.SettleAllLater();
        }

        await _candles.SettleClosedAsync(cancellationToken);
        await _candles.RewriteOwedAsync(cancellationToken);
        await _backfills.CheckQueueAsync();
        foreach (var overdue in _tracker.TakeOverdue(options.Value.GapOverdueAfter))
        {
            if (overdue.FirstReport)
            {
                metrics.GapOverdue(_instrument.Exchange);
            }

            await _backfills.ReportOverdueAsync(overdue);
        }

        var now = time.GetUtcNow();
        if (_repairs.ProbeDue(now) is { } probe)
        {
            LogProbe(logger, _instrument.Key, _repairs.QuietFor(now), _tracker.HighestId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?");
            await _backfills.QueueAsync(probe);
        }
    }

    /// <summary>Tells the metrics the open gaps when they changed, and the latest-trades window whether trades may be missing.</summary>
    private void PublishGaps()
    {
        _latest.MayMissTrades(_tracker.OpenGaps.Count > 0 || _repairs.CatchUpPending);
        (int Count, long Missing, UnixMicros? Oldest) open = _tracker.OpenGaps.Count == 0
            ? default
            : (_tracker.OpenGaps.Count, _tracker.MissingCount, _tracker.OldestGapDetectedAt);
        if (open != _publishedGaps)
        {
            _publishedGaps = open;
            metrics.GapsOpen(_instrument, open.Count, open.Missing, open.Oldest);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.GapDetected, Level = LogLevel.Warning, Message = "{Instrument} missing trade ids {FromId}..{ToId} ({Count}); backfilling")]
    private static partial void LogGap(ILogger logger, string instrument, long fromId, long toId, long count);

    [LoggerMessage(EventId = GrainsEventIds.GapRepaired, Level = LogLevel.Information, Message = "{Instrument} gap {FromId}..{ToId} repaired")]
    private static partial void LogRepaired(ILogger logger, string instrument, long fromId, long toId);

    [LoggerMessage(EventId = GrainsEventIds.GapAbandoned, Level = LogLevel.Error, Message = "{Instrument} gave up {Count} missing trade ids in {FromId}..{ToId}: {Why}")]
    private static partial void LogAbandoned(ILogger logger, string instrument, long fromId, long toId, long count, string why);

    [LoggerMessage(EventId = GrainsEventIds.StoreBusy, Level = LogLevel.Warning,
        Message = "{Instrument}: the hot store took no room for {Limit}; {Trades} trade(s) go back to their sender, which reads nothing new until they are taken")]
    private static partial void LogStoreBusy(ILogger logger, string instrument, TimeSpan limit, int trades);

    [LoggerMessage(EventId = GrainsEventIds.StoreTakesTradesAgain, Level = LogLevel.Information, Message = "{Instrument}: the hot store takes trades again after {Busy}")]
    private static partial void LogStoreTakesTradesAgain(ILogger logger, string instrument, TimeSpan busy);

    [LoggerMessage(EventId = GrainsEventIds.QuietProbe, Level = LogLevel.Debug, Message = "{Instrument} quiet for {Quiet}; probing REST for trades after {TradeId}")]
    private static partial void LogProbe(ILogger logger, string instrument, TimeSpan quiet, string tradeId);

    [LoggerMessage(EventId = GrainsEventIds.InstrumentWithoutShard, Level = LogLevel.Error,
        Message = "{Instrument} is in no shard of an enabled exchange: its gaps are not backfilled")]
    private static partial void LogNoShard(ILogger logger, string instrument);
}
