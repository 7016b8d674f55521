namespace K2.Testing;

/// <summary>
/// Candles computed from <c>silver_trades</c> by SQL written apart from the product's code (buckets by integer division
/// of epoch microseconds, open and close from each bucket's sorted trades, sums at the column types, vwap by
/// ClickHouse's decimal division), and the stored candles in the same shape, so tests compare the two as text rows.
/// </summary>
public static class CandleRecomputation
{
    private const string Columns = "open, high, low, close, volume, quote_volume, buy_volume, sell_volume, trade_count, vwap";

    public static string StoredCandlesSql(string database) => $"""
        SELECT exchange, symbol, timeframe, bucket_start, {Columns}
        FROM {database}.ohlcv FINAL
        ORDER BY exchange, symbol, timeframe, bucket_start
        """;

    public static string RecomputedCandlesSql(string database) => $"""
        SELECT
            exchange,
            symbol,
            tf.1 AS timeframe,
            fromUnixTimestamp64Micro(intDiv(toUnixTimestamp64Micro(exchange_ts), tf.2) * tf.2, 'UTC') AS bucket_start,
            arraySort(groupArray((exchange_ts, length(trade_id), trade_id, price)))[1].4 AS open,
            max(price) AS high,
            min(price) AS low,
            arraySort(groupArray((exchange_ts, length(trade_id), trade_id, price)))[-1].4 AS close,
            sum(CAST(quantity AS Decimal(38, 8))) AS volume,
            sum(CAST(price AS Decimal(38, 8)) * CAST(quantity AS Decimal(38, 8))) AS quote_volume,
            sumIf(CAST(quantity AS Decimal(38, 8)), side = 'buy') AS buy_volume,
            sumIf(CAST(quantity AS Decimal(38, 8)), side = 'sell') AS sell_volume,
            toInt64(count()) AS trade_count,
            quote_volume / volume AS vwap
        FROM {database}.silver_trades FINAL
        ARRAY JOIN [('1m', 60000000), ('5m', 300000000), ('15m', 900000000), ('30m', 1800000000), ('1h', 3600000000), ('1d', 86400000000)] AS tf
        GROUP BY exchange, symbol, timeframe, bucket_start
        ORDER BY exchange, symbol, timeframe, bucket_start
        """;
}
