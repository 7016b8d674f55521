using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Writers;

namespace K2.Storage.Candles;

/// <summary>The RowBinary encoding of <see cref="Candle"/> rows for <c>ohlcv</c> (migration 3).</summary>
public sealed class OhlcvTable : IRowBinaryTable<Candle>
{
    public const string TableName = "ohlcv";

    public string Name => TableName;

    public IReadOnlyList<string> Columns { get; } =
    [
        "exchange", "symbol", "timeframe", "bucket_start", "open", "high", "low", "close",
        "volume", "quote_volume", "buy_volume", "sell_volume", "trade_count", "vwap", "version", "updated_at",
    ];

    /// <summary>
    /// <c>updated_at</c> is when the row landed (the offload selects by it, so a row delayed by an outage is not
    /// skipped); the version is when the candle was computed, so a retried batch keeps its order against later corrections.
    /// </summary>
    public void Write(RowBinaryWriter writer, in Candle row, UnixMicros ingestTime)
    {
        writer.WriteString(row.Instrument.Exchange.ToName());
        writer.WriteString(row.Instrument.Symbol);
        writer.WriteString(row.Timeframe.ToName());
        writer.WriteDateTime64Micros(row.BucketStart);
        writer.WriteInt64(row.Open);
        writer.WriteInt64(row.High);
        writer.WriteInt64(row.Low);
        writer.WriteInt64(row.Close);
        writer.WriteDecimal128Units(row.Volume);
        writer.WriteDecimal128Units(row.QuoteVolume);
        writer.WriteDecimal128Units(row.BuyVolume);
        writer.WriteDecimal128Units(row.SellVolume);
        writer.WriteInt64(row.TradeCount);
        writer.WriteDecimal128Units(row.Vwap);
        writer.WriteInt64(row.Version);
        writer.WriteDateTime64Micros(ingestTime);
    }
}
