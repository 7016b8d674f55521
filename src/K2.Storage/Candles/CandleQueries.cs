using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Trades;

namespace K2.Storage.Candles;

/// <summary>Reads candles, and recomputes a bucket's aggregate from the stored trades when a correction needs it.</summary>
public sealed class CandleQueries(IClickHouseClient client, HotStoreOptions options)
{
    /// <summary>The trade order of <see cref="TradeOrder"/>, as SQL.</summary>
    private const string Order = "(exchange_ts, length(trade_id), trade_id)";

    /// <summary>
    /// The exact aggregate of the instrument's stored trades in <paramref name="bucket"/> (each trade once), in the
    /// units of <see cref="CandleAmounts"/> (empty when it has none), and the highest version of the bucket's stored
    /// candle (0 when none), which a correction must exceed whatever the clock says. The caller must make sure every
    /// trade it handed to the silver writer has been written first.
    /// </summary>
    public Task<RecomputedBucket> RecomputeAsync(Instrument instrument, CandleBucket bucket, CancellationToken cancellationToken)
    {
        var sql = $$"""
            SELECT
                argMin(price, {{Order}}), max(price), min(price), argMax(price, {{Order}}),
                argMin(exchange_ts, {{Order}}), argMin(trade_id, {{Order}}), argMax(exchange_ts, {{Order}}), argMax(trade_id, {{Order}}),
                sum(CAST(quantity AS Decimal(38, 8))),
                sum(CAST(price AS Decimal(38, 8)) * CAST(quantity AS Decimal(38, 8))),
                sumIf(CAST(quantity AS Decimal(38, 8)), side = 'buy'),
                sumIf(CAST(quantity AS Decimal(38, 8)), side = 'sell'),
                toInt64(count()),
                -- A scalar subquery is Nullable; RowBinary would prefix a null flag.
                assumeNotNull((
                    SELECT max(version) FROM {{options.Database}}.{{OhlcvTable.TableName}}
                    WHERE exchange = {exchange:String} AND symbol = {symbol:String} AND timeframe = {timeframe:String}
                      AND bucket_start = {from:DateTime64(6, 'UTC')}
                ))
            FROM {{options.Database}}.{{SilverTradesTable.TableName}} FINAL
            WHERE exchange = {exchange:String} AND symbol = {symbol:String}
              AND exchange_ts >= {from:DateTime64(6, 'UTC')} AND exchange_ts < {to:DateTime64(6, 'UTC')}
            """;
        var parameters = new ClickHouseParameters()
            .Add("exchange", instrument.Exchange.ToName())
            .Add("symbol", instrument.Symbol)
            .Add("timeframe", bucket.Timeframe.ToName())
            .Add("from", bucket.Start)
            .Add("to", bucket.End);
        return client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static data =>
        {
            var reader = new RowBinaryReader(data);
            var (open, high, low, close) = (reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            var first = new TradeOrder(reader.ReadDateTime64Micros(), TradeId.FromText(NonEmpty(reader.ReadString())));
            var last = new TradeOrder(reader.ReadDateTime64Micros(), TradeId.FromText(NonEmpty(reader.ReadString())));
            var (volume, quote, buy, sell) = (reader.ReadDecimal128Units(), reader.ReadDecimal128Units(), reader.ReadDecimal128Units(), reader.ReadDecimal128Units());
            var count = reader.ReadInt64();
            var storedVersion = reader.ReadInt64();
            return new RecomputedBucket(
                count == 0 ? new CandleAggregate() : CandleAggregate.FromStored(open, high, low, close, first, last, volume, quote, buy, sell, count),
                storedVersion);
        }, cancellationToken);
    }

    /// <summary>
    /// The latest version of each candle of one instrument and timeframe with <c>from &lt;= bucket_start &lt; to</c>,
    /// oldest first, at most <paramref name="limit"/> of them.
    /// </summary>
    public Task<IReadOnlyList<StoredCandle>> GetAsync(
        Exchange exchange, string symbol, Timeframe timeframe, UnixMicros from, UnixMicros to, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var sql = $$"""
            SELECT bucket_start, open, high, low, close, volume, quote_volume, buy_volume, sell_volume, trade_count, vwap, version
            FROM {{options.Database}}.{{OhlcvTable.TableName}} FINAL
            WHERE exchange = {exchange:String} AND symbol = {symbol:String} AND timeframe = {timeframe:String}
              AND bucket_start >= {from:DateTime64(6, 'UTC')} AND bucket_start < {to:DateTime64(6, 'UTC')}
            ORDER BY bucket_start
            LIMIT {limit:UInt32}
            """;
        var parameters = new ClickHouseParameters()
            .Add("exchange", exchange.ToName())
            .Add("symbol", symbol)
            .Add("timeframe", timeframe.ToName())
            .Add("from", from)
            .Add("to", to)
            .Add("limit", limit);
        return client.QueryAsync<IReadOnlyList<StoredCandle>>(sql, parameters, ClickHouseFormats.RowBinary, data =>
        {
            var candles = new List<StoredCandle>();
            var reader = new RowBinaryReader(data);
            while (!reader.End)
            {
                candles.Add(new StoredCandle(
                    exchange, symbol, timeframe, reader.ReadDateTime64Micros(),
                    reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                    reader.ReadDecimal128Units(), reader.ReadDecimal128Units(), reader.ReadDecimal128Units(), reader.ReadDecimal128Units(),
                    reader.ReadInt64(), reader.ReadDecimal128Units(), reader.ReadInt64()));
            }

            return candles;
        }, cancellationToken);
    }

    /// <summary>argMin over no rows yields an empty id; the aggregate is then discarded, but the id must still parse.</summary>
    private static string NonEmpty(string id) => id.Length == 0 ? "0" : id;
}
