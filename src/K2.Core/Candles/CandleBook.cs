using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Candles;

/// <summary>
/// The candles of one instrument in every timeframe, rolled from its trades on exchange time. Recent buckets stay in
/// memory as exact aggregates, so a late trade within <see cref="MemoryWindow"/> corrects its candles directly. A bucket
/// that may hold trades this book has not seen (stored before the book was created, or evicted since) must be loaded
/// first: <see cref="CollectBucketsToLoad"/> names them, the caller recomputes them from stored trades and hands them
/// to <see cref="Load"/>. Buckets without trades get no candle. Changed candles are taken with a new version: the clock
/// in microseconds, or one more than the highest version given or loaded before, so the newest write of a bucket wins.
/// </summary>
public sealed class CandleBook
{
    private readonly Dictionary<CandleBucket, CandleAggregate> _buckets = [];
    private readonly HashSet<CandleBucket> _changed = [];
    private readonly UnixMicros?[] _evictedThrough = new UnixMicros?[Timeframes.All.Count];
    private readonly UnixMicros? _storedThrough;
    private UnixMicros? _newest;
    private long _lastVersion;

    /// <param name="instrument">Whose candles these are.</param>
    /// <param name="storedThrough">
    /// The newest exchange time of the instrument's stored trades when the book is created, or null when none are
    /// stored: buckets starting after it cannot hold a trade the book has not seen.
    /// </param>
    /// <param name="memoryWindow">How far behind the newest trade buckets stay in memory (at least two buckets of each timeframe stay).</param>
    public CandleBook(Instrument instrument, UnixMicros? storedThrough, TimeSpan memoryWindow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryWindow, TimeSpan.Zero);
        Instrument = instrument;
        MemoryWindow = memoryWindow;
        _storedThrough = storedThrough;
    }

    public Instrument Instrument { get; }

    public TimeSpan MemoryWindow { get; }

    /// <summary>Buckets in memory, over all timeframes.</summary>
    public int BucketsInMemory => _buckets.Count;

    /// <summary>Adds to <paramref name="buckets"/> each bucket of <paramref name="trade"/> that must be loaded before the trade is added.</summary>
    public void CollectBucketsToLoad(in Trade trade, ISet<CandleBucket> buckets)
    {
        foreach (var timeframe in Timeframes.All)
        {
            var bucket = CandleBucket.Of(timeframe, trade.ExchangeTime);
            if (NeedsLoad(bucket))
            {
                buckets.Add(bucket);
            }
        }
    }

    /// <summary>
    /// Takes the aggregate of <paramref name="bucket"/>'s stored trades (empty when there are none) and the highest
    /// version of its stored candle: later versions exceed it even if the clock has gone back (another silo, a restart).
    /// With <paramref name="rewrite"/>, the candle is written again at the next <see cref="TakeChanged"/>.
    /// </summary>
    public void Load(CandleBucket bucket, CandleAggregate stored, long storedVersion, bool rewrite = false)
    {
        _buckets[bucket] = stored;
        _lastVersion = Math.Max(_lastVersion, storedVersion);
        if (rewrite && !stored.IsEmpty)
        {
            _changed.Add(bucket);
        }
    }

    /// <summary>
    /// The buckets holding the newest stored trade: after a crash their stored candles may lack the last trades (candles
    /// are written after their trades), so a resuming instrument recomputes and rewrites them.
    /// </summary>
    public IEnumerable<CandleBucket> NewestStoredBuckets() =>
        _storedThrough is { } newest ? Timeframes.All.Select(t => CandleBucket.Of(t, newest)) : [];

    /// <summary>The buckets in memory, of every timeframe, that overlap [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public IReadOnlyList<CandleBucket> BucketsInMemoryWithin(UnixMicros from, UnixMicros to) =>
        [.. _buckets.Keys.Where(b => b.Start < to && b.End > from)];

    /// <summary>The buckets in memory, of every timeframe, that end in (<paramref name="after"/>, <paramref name="through"/>].</summary>
    public IReadOnlyList<CandleBucket> BucketsInMemoryEndingWithin(UnixMicros after, UnixMicros through) =>
        [.. _buckets.Keys.Where(b => b.End > after && b.End <= through)];

    /// <summary>Adds a trade seen for the first time to its bucket in every timeframe.</summary>
    /// <exception cref="InvalidOperationException">One of its buckets had to be loaded first.</exception>
    public void Add(in Trade trade)
    {
        foreach (var timeframe in Timeframes.All)
        {
            var bucket = CandleBucket.Of(timeframe, trade.ExchangeTime);
            if (!_buckets.TryGetValue(bucket, out var aggregate))
            {
                if (NeedsLoad(bucket))
                {
                    throw new InvalidOperationException($"{Instrument.Key} {bucket} may hold stored trades; load it before adding to it.");
                }

                aggregate = new CandleAggregate();
                _buckets.Add(bucket, aggregate);
            }

            aggregate.Add(trade);
            _changed.Add(bucket);
        }

        if (_newest is null || trade.ExchangeTime > _newest)
        {
            _newest = trade.ExchangeTime;
        }
    }

    /// <summary>
    /// The candles changed since the last call, each with one new version, then drops from memory the unchanged
    /// buckets that have fallen out of the window.
    /// </summary>
    public IReadOnlyList<Candle> TakeChanged(UnixMicros now)
    {
        if (_changed.Count == 0)
        {
            return [];
        }

        _lastVersion = Math.Max(now.Value, _lastVersion + 1);
        var candles = new List<Candle>(_changed.Count);
        foreach (var bucket in _changed)
        {
            candles.Add(Candle.Of(Instrument, bucket.Timeframe, bucket.Start, _buckets[bucket], _lastVersion));
        }

        _changed.Clear();
        Evict();
        return candles;
    }

    private bool NeedsLoad(CandleBucket bucket) =>
        !_buckets.ContainsKey(bucket)
        && (bucket.Start <= _storedThrough || bucket.Start <= _evictedThrough[(int)bucket.Timeframe]);

    private void Evict()
    {
        if (_newest is not { } newest)
        {
            return;
        }

        var evicted = new List<CandleBucket>();
        foreach (var bucket in _buckets.Keys)
        {
            var keep = Math.Max(MemoryWindow.Ticks / TimeSpan.TicksPerMicrosecond, 2 * bucket.Timeframe.DurationMicros());
            if (bucket.End.Value <= newest.Value - keep && !_changed.Contains(bucket))
            {
                evicted.Add(bucket);
            }
        }

        foreach (var bucket in evicted)
        {
            _buckets.Remove(bucket);
            ref var through = ref _evictedThrough[(int)bucket.Timeframe];
            if (through is null || bucket.Start > through)
            {
                through = bucket.Start;
            }
        }
    }
}
