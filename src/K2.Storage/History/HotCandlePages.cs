using K2.Core;
using K2.Core.Candles;
using K2.Storage.Candles;
using K2.Storage.Writers;

namespace K2.Storage.History;

/// <summary>
/// Pages of candles read from the hot tier for a range, kept until a candle of their instrument and timeframe lands
/// inside that range. Registered only on the embedded engine, whose data path one process owns: every row that reaches
/// <c>ohlcv</c> there passes through this process's candle writer, which reports each batch once it has landed (an
/// embedded insert either lands or throws; no answer is lost in between). A chart polling a day of the past then costs
/// no hot read (its cold side is kept by <see cref="ColdPageCache"/>), while a range still being written, today's, is
/// read again after each landing. A page read while any batch landed is not kept: it may or may not hold that batch.
/// Bounded by the rows kept (<see cref="MaxRows"/>); when full it starts over rather than track use.
/// </summary>
public sealed class HotCandlePages : ILandedRowsObserver<Candle>
{
    internal const int MaxRows = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<CandleHistoryQuery, IReadOnlyList<StoredCandle>> _pages = [];
    private long _landings;
    private int _rows;

    /// <summary>
    /// The hot page of <paramref name="query"/>, read by <paramref name="read"/> when not kept. Only oldest-first pages of
    /// a closed range are kept: a newest-first page follows the clock.
    /// </summary>
    public async Task<IReadOnlyList<StoredCandle>> GetOrReadAsync(CandleHistoryQuery query, Func<Task<IReadOnlyList<StoredCandle>>> read)
    {
        if (query.Direction != ReadDirection.OldestFirst || query.From is null || query.To is null)
        {
            return await read();
        }

        long landings;
        lock (_lock)
        {
            if (_pages.TryGetValue(query, out var kept))
            {
                return kept;
            }

            landings = _landings;
        }

        var page = await read();
        lock (_lock)
        {
            if (_landings == landings && page.Count <= MaxRows)
            {
                if (_rows + page.Count > MaxRows)
                {
                    _pages.Clear();
                    _rows = 0;
                }

                _rows += page.Count - (_pages.TryGetValue(query, out var replaced) ? replaced.Count : 0);
                _pages[query] = page;
            }
        }

        return page;
    }

    /// <summary>Drops every kept page whose range holds one of <paramref name="rows"/>' buckets.</summary>
    public void Landed(IReadOnlyList<Candle> rows, UnixMicros? ingestTime)
    {
        lock (_lock)
        {
            _landings++;
            if (_pages.Count == 0)
            {
                return;
            }

            List<CandleHistoryQuery>? stale = null;
            foreach (var (query, page) in _pages)
            {
                foreach (var candle in rows)
                {
                    if (candle.Instrument.Exchange == query.Exchange && candle.Instrument.Symbol == query.Symbol && candle.Timeframe == query.Timeframe
                        && candle.BucketStart >= query.From!.Value && candle.BucketStart < query.To!.Value)
                    {
                        (stale ??= []).Add(query);
                        _rows -= page.Count;
                        break;
                    }
                }
            }

            foreach (var query in stale ?? [])
            {
                _pages.Remove(query);
            }
        }
    }
}
