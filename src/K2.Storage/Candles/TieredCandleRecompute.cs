using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.History;
using K2.Storage.Writers;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Candles;

/// <summary>
/// Recomputes candle buckets from the trades of both tiers and writes the candles that changed. The instrument grain
/// recomputes a bucket from the hot tier alone, which holds every trade of the buckets it keeps; a bucket older than
/// the hot tier's 30 days has its trades in cold, and a requested backfill may add to it. Each trade is read once per
/// day (every timeframe's buckets fall within one day), each bucket's current candle once over both tiers, and a
/// changed candle is written with a version above that candle's: the clock in microseconds, or one more than the
/// stored version, as the grain versions its candles. The caller must make sure the trades it stored have landed.
/// </summary>
public sealed partial class TieredCandleRecompute(
    TradeHistory trades, CandleHistory candles, BatchedTableWriter<Candle> candleWriter, TimeProvider time, ILogger<TieredCandleRecompute> logger)
{
    /// <summary>Trades read per query.</summary>
    private const int TradesPerRead = 10_000;

    /// <summary>Candles read per query.</summary>
    private const int CandlesPerRead = 10_000;

    /// <summary>
    /// Recomputes <paramref name="buckets"/> of <paramref name="instrument"/> and writes those whose candle differs from
    /// the stored one (or has none); returns the candles written, once they have landed. A bucket without trades gets no candle.
    /// </summary>
    public async Task<IReadOnlyList<Candle>> RecomputeAsync(Instrument instrument, IReadOnlyCollection<CandleBucket> buckets, CancellationToken cancellationToken)
    {
        if (buckets.Count == 0)
        {
            return [];
        }

        var aggregates = buckets.Distinct().ToDictionary(b => b, _ => new CandleAggregate());
        foreach (var day in aggregates.Keys.Select(b => CandleBucket.Of(Timeframe.OneDay, b.Start)).Distinct().OrderBy(d => d.Start))
        {
            await AggregateDayAsync(instrument, day, aggregates, cancellationToken);
        }

        var now = UnixMicros.Now(time).Value;
        var written = new List<Candle>();
        foreach (var timeframe in aggregates.Keys.Select(b => b.Timeframe).Distinct().Order())
        {
            var ofTimeframe = aggregates.Keys.Where(b => b.Timeframe == timeframe).OrderBy(b => b.Start).ToList();
            var stored = await StoredAsync(instrument, timeframe, ofTimeframe[0].Start, ofTimeframe[^1].End, cancellationToken);
            foreach (var bucket in ofTimeframe)
            {
                var aggregate = aggregates[bucket];
                if (aggregate.IsEmpty)
                {
                    continue;
                }

                var current = stored.GetValueOrDefault(bucket.Start);
                var candle = Candle.Of(instrument, timeframe, bucket.Start, aggregate, Math.Max(now, (current?.Version ?? 0) + 1));
                if (current is null || !Same(candle, current))
                {
                    await candleWriter.WriteAsync(candle, cancellationToken);
                    written.Add(candle);
                }
            }
        }

        if (written.Count > 0)
        {
            await candleWriter.WhenWrittenAsync(cancellationToken);
        }

        LogRecomputed(logger, instrument.Key, aggregates.Count, written.Count,
            written.Count == 0 ? "-" : written.Min(c => c.BucketStart).ToString(), written.Count == 0 ? "-" : written.Max(c => c.BucketStart).ToString());
        return written;
    }

    /// <summary>Adds every trade of <paramref name="day"/> over both tiers to each of its buckets in <paramref name="aggregates"/>.</summary>
    private async Task AggregateDayAsync(Instrument instrument, CandleBucket day, Dictionary<CandleBucket, CandleAggregate> aggregates, CancellationToken cancellationToken)
    {
        TradePosition? after = null;
        while (true)
        {
            var page = await trades.ReadAsync(
                new TradeHistoryQuery(instrument.Exchange, instrument.Symbol, day.Start, day.End, ReadDirection.OldestFirst, after, TradesPerRead), cancellationToken);
            foreach (var stored in page)
            {
                var trade = new Trade(instrument, TradeId.FromText(stored.TradeId), stored.Price, stored.Quantity, stored.Side, stored.ExchangeTime, stored.ReceiptTime);
                foreach (var timeframe in Timeframes.All)
                {
                    if (aggregates.TryGetValue(CandleBucket.Of(timeframe, trade.ExchangeTime), out var aggregate))
                    {
                        aggregate.Add(trade);
                    }
                }
            }

            if (page.Count < TradesPerRead)
            {
                return;
            }

            after = new TradePosition(page[^1].ExchangeTime, page[^1].TradeId);
        }
    }

    /// <summary>The latest candle of each bucket starting in [<paramref name="from"/>, <paramref name="to"/>) over both tiers.</summary>
    private async Task<Dictionary<UnixMicros, StoredCandle>> StoredAsync(
        Instrument instrument, Timeframe timeframe, UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<UnixMicros, StoredCandle>();
        UnixMicros? after = null;
        while (true)
        {
            var page = await candles.ReadAsync(
                new CandleHistoryQuery(instrument.Exchange, instrument.Symbol, timeframe, from, to, ReadDirection.OldestFirst, after, CandlesPerRead), cancellationToken);
            foreach (var candle in page)
            {
                stored[candle.BucketStart] = candle;
            }

            if (page.Count < CandlesPerRead)
            {
                return stored;
            }

            after = page[^1].BucketStart;
        }
    }

    private static bool Same(in Candle candle, StoredCandle stored) =>
        candle.Open == stored.Open && candle.High == stored.High && candle.Low == stored.Low && candle.Close == stored.Close
        && candle.Volume == stored.Volume && candle.QuoteVolume == stored.QuoteVolume && candle.BuyVolume == stored.BuyVolume
        && candle.SellVolume == stored.SellVolume && candle.TradeCount == stored.TradeCount && candle.Vwap == stored.Vwap;

    [LoggerMessage(EventId = StorageEventIds.CandlesRecomputed, Level = LogLevel.Information,
        Message = "Recomputed {Buckets} candle buckets of {Instrument} over both tiers: {Written} changed and written, bucket starts {FirstWritten} to {LastWritten}")]
    private static partial void LogRecomputed(ILogger logger, string instrument, int buckets, int written, string firstWritten, string lastWritten);
}
