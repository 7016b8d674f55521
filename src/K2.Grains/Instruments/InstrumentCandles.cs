using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Grains.Ingest;
using K2.Storage.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Writers;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Instruments;

/// <summary>
/// The candles of one instrument: rolled (<see cref="CandleBook"/>) from exactly the trades its grain passes on, with a
/// bucket that may hold trades it has not seen (stored before a restart, evicted from memory, stored by another writer)
/// recomputed from the store first, and the changed candles handed to the candle writer. Not thread-safe: the grain
/// calls it one turn at a time. The grain's trades wait while it reads the store (a grain runs one turn at a time), so
/// each read (a trade's bucket loads, or a rewrite of owed buckets; a watch turn makes at most two) stops after
/// <paramref name="storeReadLimit"/>: a bucket not read by then is owed a rewrite from the store, and the trades go on.
/// </summary>
internal sealed partial class InstrumentCandles(
    CandleBook book,
    BatchedTableWriter<Trade> silverTrades,
    BatchedTableWriter<Candle> candleWriter,
    CandleQueries storedCandles,
    IngestMetrics metrics,
    TimeSpan storeReadLimit,
    TimeSpan? settleAfter,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// What the grain gives each turn's store reads: far above a recompute's usual tens of milliseconds, short enough
    /// that a store swamped with queries (a restarted silo's activations all rewriting at once) slows trades down
    /// instead of stopping them.
    /// </summary>
    public static readonly TimeSpan DefaultStoreReadLimit = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between tries of a recompute while the hot store is unavailable.</summary>
    private static readonly TimeSpan MaxRecomputeRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long before the settle time a bucket may have closed and still be owed its settle by a new activation: the
    /// one before may have died or stopped unnoticed for a while (a frozen silo is declared dead after about 12 s).
    /// </summary>
    private static readonly TimeSpan RecentlyClosedWindow = TimeSpan.FromMinutes(1);

    // What a stalled store could not take yet: the newest version of each changed candle. Buckets owed a rewrite are
    // written only by their recompute, never from memory.
    private readonly Dictionary<CandleBucket, Candle> _unwritten = [];
    private readonly HashSet<CandleBucket> _owedRewrite = [];

    // Buckets just recomputed from the store and not changed since: past their settle time they may still be written.
    private readonly HashSet<CandleBucket> _recomputed = [];

    // Buckets ending up to here are settled. From the start of time: a bucket that closed just before this activation
    // began (its silo died or froze) is settled too, once it is held.
    private UnixMicros _settledThrough = new(long.MinValue);
    private DateTimeOffset? _settleAllAt;

    /// <summary>
    /// A new trade, passed on. With settling on, a trade in a bucket already due to be settled (a late or caught-up
    /// trade) makes that bucket owed a rewrite instead: a settled candle is only ever replaced by another recomputed from
    /// the store, because this grain's view of a bucket can hold a trade twice (a trade another activation stored, which
    /// the settle read from the store, arriving here as new) or miss one.
    /// </summary>
    public void Add(in Trade trade)
    {
        book.Add(trade);
        if (settleAfter is not { } after)
        {
            return;
        }

        // Timeframes nest: no bucket of the trade ends before its minute does.
        var horizon = UnixMicros.FromDateTimeOffset(time.GetUtcNow() - after);
        if (CandleBucket.Of(Timeframe.OneMinute, trade.ExchangeTime).End > horizon)
        {
            return;
        }

        foreach (var timeframe in Timeframes.All)
        {
            var bucket = CandleBucket.Of(timeframe, trade.ExchangeTime);
            if (bucket.End <= horizon)
            {
                _owedRewrite.Add(bucket);
            }
        }
    }

    /// <summary>
    /// Loads the buckets of the trades in <paramref name="trades"/> that <paramref name="isNew"/> accepts and that may
    /// hold trades this book has not seen. Their stored trades are read only after everything handed to the silver
    /// writer has landed, so the recomputed aggregate holds exactly the trades passed on before these. A bucket the
    /// store does not give within the read limit (it is down or swamped) starts empty here and is owed a rewrite: it is
    /// never written from memory, and its recompute from the store, once the store answers, holds every stored trade,
    /// these included. The trades never wait on candles longer than that.
    /// </summary>
    public async Task LoadBucketsOfAsync(IReadOnlyList<Trade> trades, Func<Trade, bool> isNew, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(isNew);
        HashSet<CandleBucket>? buckets = null;
        foreach (var trade in trades)
        {
            if (isNew(trade))
            {
                book.CollectBucketsToLoad(trade, buckets ??= []);
            }
        }

        if (buckets is not { Count: > 0 })
        {
            return;
        }

        using var readLimit = new StoreWaitDeadline(storeReadLimit, time, cancellationToken);
        try
        {
            await RecomputeAsync(buckets, rewrite: false, readLimit.Token, loaded: bucket => buckets.Remove(bucket));
        }
        catch (OperationCanceledException) when (readLimit.Expired)
        {
            foreach (var bucket in buckets)
            {
                book.Load(bucket, new CandleAggregate(), storedVersion: 0);
                _owedRewrite.Add(bucket);
            }

            metrics.CandleBucketsOwed(book.Instrument.Exchange, buckets.Count);
            LogLoadOwed(logger, book.Instrument.Key, buckets.Count, storeReadLimit);
        }
    }

    /// <summary>
    /// After a resume from the store: candles are written after their trades, so a crash may have left the newest stored
    /// ones short. They are recomputed and written again now, or owed until <see cref="RewriteOwedAsync"/> manages.
    /// </summary>
    public Task RewriteNewestStoredAsync(CancellationToken cancellationToken)
    {
        _owedRewrite.UnionWith(book.NewestStoredBuckets());
        return RewriteOwedAsync(cancellationToken);
    }

    /// <summary>
    /// With settling on, at activation: the buckets that closed within the settle time and <see cref="RecentlyClosedWindow"/>
    /// before now become owed a rewrite, and once recomputed and written again (<see cref="RewriteOwedAsync"/>, on the
    /// grain's next watch, so the activation does not wait for it) are held, to be settled with every bucket held
    /// (<see cref="SettleAllLater"/>). The activation before this one may have written them from a wrong view and gone
    /// (its silo died or stopped) before their settle time, and no trade need come here to make this one hold them.
    /// </summary>
    public void OweRecentlyClosed()
    {
        if (settleAfter is not { } after)
        {
            return;
        }

        var now = UnixMicros.Now(time);
        var since = new UnixMicros(now.Value - ((after + RecentlyClosedWindow).Ticks / TimeSpan.TicksPerMicrosecond));
        foreach (var timeframe in Timeframes.All)
        {
            for (var bucket = CandleBucket.Of(timeframe, since); bucket.End <= now; bucket = CandleBucket.Of(timeframe, bucket.End))
            {
                _owedRewrite.Add(bucket);
            }
        }
    }

    /// <summary>
    /// Another writer stored trades in [<paramref name="from"/>, <paramref name="to"/>): the buckets held in memory
    /// there are recomputed and written again, now or once <see cref="RewriteOwedAsync"/> manages.
    /// </summary>
    public Task RewriteHeldWithinAsync(UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        var held = book.BucketsInMemoryWithin(from, to);
        if (held.Count == 0)
        {
            return Task.CompletedTask;
        }

        _owedRewrite.UnionWith(held);
        return RewriteOwedAsync(cancellationToken);
    }

    /// <summary>
    /// With <c>K2:Ingest:CandleSettleAfter</c> set, settles the buckets held in memory that closed at least that long
    /// ago: each is recomputed from the stored trades and written again. A candle rolled in memory can differ from its
    /// stored trades where this grain's view did not match the store's: a second activation of the instrument for a
    /// moment while silos joined or left (Orleans' default grain directory is eventually consistent), or a silo frozen
    /// and declared dead that writes once more on waking. From then on the bucket is written only as recomputed from the
    /// store, by every activation (<see cref="Add"/>, <see cref="WriteChangedAsync"/>): the newest write of a settled
    /// bucket, whichever activation makes it, holds exactly its stored trades.
    /// </summary>
    public Task SettleClosedAsync(CancellationToken cancellationToken)
    {
        if (settleAfter is not { } after)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow();
        var through = UnixMicros.FromDateTimeOffset(now - after);
        IReadOnlyList<CandleBucket> closed;
        if (_settleAllAt is { } due && due <= now)
        {
            // Every bucket held, open ones too: a disturbance may have left any of them rolled from a wrong view.
            _settleAllAt = null;
            closed = book.BucketsInMemoryWithin(new UnixMicros(long.MinValue), new UnixMicros(long.MaxValue));
        }
        else if (through > _settledThrough)
        {
            closed = book.BucketsInMemoryEndingWithin(_settledThrough, through);
        }
        else
        {
            return Task.CompletedTask;
        }

        _settledThrough = through > _settledThrough ? through : _settledThrough;
        if (closed.Count == 0)
        {
            return Task.CompletedTask;
        }

        _owedRewrite.UnionWith(closed);
        return RewriteOwedAsync(cancellationToken);
    }

    /// <summary>
    /// Something happened that can leave any held candle, open or closed, rolled from a view the store does not share
    /// (this activation began, or the cluster's membership changed): with settling on, every bucket held is settled
    /// once things have calmed for the settle time.
    /// </summary>
    public void SettleAllLater()
    {
        if (settleAfter is { } after)
        {
            _settleAllAt = time.GetUtcNow() + after;
        }
    }

    /// <summary>
    /// Recomputes and rewrites the buckets owed a rewrite within the store wait limit; what the store did not answer in
    /// time stays owed. Trades for those buckets meanwhile load them as they come.
    /// </summary>
    public async Task RewriteOwedAsync(CancellationToken cancellationToken)
    {
        if (_owedRewrite.Count == 0)
        {
            return;
        }

        CandleBucket[] buckets = [.. _owedRewrite];

        using var readLimit = new StoreWaitDeadline(storeReadLimit, time, cancellationToken);
        try
        {
            // Each bucket done counts: a store that answers slowly still works the debt down, turn by turn.
            await RecomputeAsync(buckets, rewrite: true, readLimit.Token, loaded: bucket =>
            {
                _owedRewrite.Remove(bucket);
                _recomputed.Add(bucket);
            });
        }
        catch (OperationCanceledException) when (readLimit.Expired)
        {
            // The rest is still owed.
        }
    }

    /// <summary>
    /// Hands the changed candles to the writer. Without <paramref name="waitForRoom"/> (a timer tick: a full writer means
    /// a stalled store, and a tick blocks the grain's calls) what does not fit is kept, newest version per bucket, for
    /// the next call.
    /// </summary>
    public async Task WriteChangedAsync(bool waitForRoom, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settled = settleAfter is { } after ? UnixMicros.FromDateTimeOffset(now - after) : new UnixMicros(long.MinValue);
        foreach (var candle in book.TakeChanged(UnixMicros.FromDateTimeOffset(now)))
        {
            var bucket = new CandleBucket(candle.Timeframe, candle.BucketStart);
            if (_owedRewrite.Contains(bucket) || (bucket.End <= settled && !_recomputed.Contains(bucket)))
            {
                // Past its settle time a candle is written only as recomputed from the store (a silo that froze and woke
                // still holds candles it changed before): its recompute writes it.
                _owedRewrite.Add(bucket);
                _unwritten.Remove(bucket);
                continue;
            }

            _unwritten[bucket] = candle;
        }

        _recomputed.Clear();

        var written = 0;
        foreach (var (bucket, candle) in _unwritten)
        {
            if (!candleWriter.TryWrite(candle))
            {
                if (!waitForRoom)
                {
                    break;
                }

                await candleWriter.WriteAsync(candle, cancellationToken);
            }

            _unwritten.Remove(bucket);
            written++;
        }

        if (written > 0)
        {
            metrics.CandlesWritten(book.Instrument.Exchange, written);
        }
    }

    /// <summary>
    /// Recomputes <paramref name="buckets"/> from the store; with <paramref name="rewrite"/> their candles are written
    /// again. Safe to repeat for a bucket already in memory: the store then holds every trade it was built from.
    /// </summary>
    private async Task RecomputeAsync(IReadOnlyCollection<CandleBucket> buckets, bool rewrite, CancellationToken cancellationToken, Action<CandleBucket> loaded)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await silverTrades.WhenWrittenAsync(cancellationToken);
                foreach (var bucket in buckets.ToArray())
                {
                    var stored = await storedCandles.RecomputeAsync(book.Instrument, bucket, cancellationToken);
                    book.Load(bucket, stored.Aggregate, stored.StoredVersion, rewrite);
                    metrics.CandleBucketRecomputed(book.Instrument.Exchange);
                    loaded(bucket);
                }

                return;
            }
            catch (ClickHouseException e)
            {
                LogRecomputeRetry(logger, e, book.Instrument.Key, buckets.Count, attempt, delay);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRecomputeRetryDelay.Ticks));
            }
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.CandleBucketsOwed, Level = LogLevel.Warning,
        Message = "{Instrument}: the hot store did not give {Buckets} candle bucket(s) within {Limit}; the trades go on and the buckets are rewritten from the store once it answers")]
    private static partial void LogLoadOwed(ILogger logger, string instrument, int buckets, TimeSpan limit);

    [LoggerMessage(EventId = GrainsEventIds.CandleRecomputeRetry, Level = LogLevel.Warning,
        Message = "{Instrument} could not recompute {Buckets} candle bucket(s) from the hot store (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogRecomputeRetry(ILogger logger, Exception exception, string instrument, int buckets, int attempt, TimeSpan delay);
}
