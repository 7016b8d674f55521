using System.Collections.Concurrent;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Configuration;
using K2.Storage.Candles;
using K2.Storage.History;
using K2.Storage.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Backfill;

/// <summary>
/// Stores the trades of a <see cref="BackfillReason.Requested"/> backfill: those of the requested range
/// [After, Before) that neither tier holds yet go to the silver writer, like any trade; those already stored are left
/// alone, so asking twice stores nothing twice. From the hot tier the offload copies them to cold by ingest time, and
/// the hot table keeps a row 30 days after its ingest as well as its exchange time (hot-store migration 6), so a trade
/// older than the hot tier's 30 days still reaches cold before the TTL can drop it. Once the request's pages are
/// stored (<see cref="CompleteAsync"/>), the candles of every bucket that got a new trade are recomputed from the trades
/// of both tiers (<see cref="TieredCandleRecompute"/>; candles too stay 30 days after they are written, migration 7),
/// and the instrument grain recomputes the recent buckets it holds in memory, so its later writes include those trades.
/// </summary>
internal sealed partial class RequestedBackfillStore(
    BatchedTableWriter<Trade> silverTrades,
    TradeHistory history,
    TieredCandleRecompute candles,
    IGrainFactory grains,
    IOptions<IngestOptions> ingest,
    TimeProvider time,
    ILogger<RequestedBackfillStore> logger)
{
    /// <summary>Stored trade ids read per query while looking for what a page already has.</summary>
    private const int StoredIdsPerRead = 10_000;

    /// <summary>Per request being fetched: the candle buckets (every timeframe) of the trades it fetched so far.</summary>
    private readonly ConcurrentDictionary<BackfillRequest, HashSet<CandleBucket>> _touched = new();

    /// <summary>Hands the page's new trades of the range to the writer, noting the buckets of all its trades of the range; returns how many it handed over.</summary>
    public async Task<int> StoreAsync(BackfillRequest request, IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        var inRange = trades
            .Where(t => (request.After is not { } after || t.ExchangeTime >= after) && (request.Before is not { } before || t.ExchangeTime < before))
            .ToList();
        if (inRange.Count == 0)
        {
            return 0;
        }

        var stored = await StoredIdsAsync(
            request.Instrument.Exchange, request.Instrument.Symbol,
            inRange.Min(t => t.ExchangeTime), new UnixMicros(inRange.Max(t => t.ExchangeTime).Value + 1), cancellationToken);
        // Every fetched trade's buckets, stored now or before: asking again repairs candles a failed recompute left.
        var touched = _touched.GetOrAdd(request, _ => []);
        foreach (var trade in inRange)
        {
            foreach (var timeframe in Timeframes.All)
            {
                touched.Add(CandleBucket.Of(timeframe, trade.ExchangeTime));
            }
        }

        var written = 0;
        foreach (var trade in inRange)
        {
            // Also drops repeats within the page (a trade at the page boundary's microsecond).
            if (stored.Add(trade.TradeId.ToString()))
            {
                await silverTrades.WriteAsync(trade, cancellationToken);
                written++;
            }
        }

        LogStored(logger, request.Instrument.Key, written, inRange.Count - written);
        return written;
    }

    /// <summary>
    /// The request's pages are all stored (or its fetch gave up; what it stored stays): once those trades have landed,
    /// recomputes the candles of the fetched trades' buckets over both tiers, writing those that changed, then has the
    /// instrument grain recompute the recent ones it holds in memory (a live grain would otherwise go on from its own
    /// aggregate, without these trades).
    /// </summary>
    public async Task CompleteAsync(BackfillRequest request, CancellationToken cancellationToken)
    {
        if (!_touched.TryRemove(request, out var buckets))
        {
            return;
        }

        await silverTrades.WhenWrittenAsync(cancellationToken);
        await candles.RecomputeAsync(request.Instrument, buckets, cancellationToken);

        // The grain keeps buckets within its memory window of its newest trade (two days for 1d buckets), and recomputes
        // them from the hot tier, which holds all of a bucket's trades only while it is recent: it is told of the recent
        // part alone, which also leaves the grain of an instrument with only old trades backfilled unactivated.
        var minutes = buckets.Where(b => b.Timeframe == Timeframe.OneMinute).ToList();
        var keep = TimeSpan.FromTicks(Math.Max(ingest.Value.CandleMemoryWindow.Ticks, 2 * TimeSpan.TicksPerDay));
        var live = UnixMicros.FromDateTimeOffset(time.GetUtcNow() - keep);
        var (from, to) = (minutes.Min(b => b.Start), minutes.Max(b => b.End));
        if (to > live)
        {
            await grains.GetGrain<IInstrumentGrain>(request.Instrument.Key)
                .OnTradesStoredElsewhereAsync(from > live ? from : live, to, cancellationToken);
        }
    }

    private async Task<HashSet<string>> StoredIdsAsync(Exchange exchange, string symbol, UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        TradePosition? after = null;
        while (true)
        {
            var page = await history.ReadAsync(
                new TradeHistoryQuery(exchange, symbol, from, to, ReadDirection.OldestFirst, after, StoredIdsPerRead), cancellationToken);
            ids.UnionWith(page.Select(t => t.TradeId));
            if (page.Count < StoredIdsPerRead)
            {
                return ids;
            }

            after = new TradePosition(page[^1].ExchangeTime, page[^1].TradeId);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.RequestedBackfillStored, Level = LogLevel.Debug,
        Message = "Requested backfill of {Instrument}: {Written} trades stored, {Known} already stored")]
    private static partial void LogStored(ILogger logger, string instrument, int written, int known);
}
