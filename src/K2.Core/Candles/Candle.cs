using K2.Core.Instruments;

namespace K2.Core.Candles;

/// <summary>
/// One OHLCV candle as written to the hot store: a bucket's aggregate at one moment. Amounts are integers of
/// <see cref="CandleAmounts"/>' scales. A later write of the same bucket carries a higher <see cref="Version"/> and
/// replaces it.
/// </summary>
public readonly record struct Candle(
    Instrument Instrument,
    Timeframe Timeframe,
    UnixMicros BucketStart,
    long Open,
    long High,
    long Low,
    long Close,
    Int128 Volume,
    Int128 QuoteVolume,
    Int128 BuyVolume,
    Int128 SellVolume,
    long TradeCount,
    Int128 Vwap,
    long Version)
{
    public static Candle Of(Instrument instrument, Timeframe timeframe, UnixMicros bucketStart, CandleAggregate aggregate, long version) => new(
        instrument, timeframe, bucketStart,
        aggregate.Open, aggregate.High, aggregate.Low, aggregate.Close,
        aggregate.Volume, aggregate.QuoteVolume, aggregate.BuyVolume, aggregate.SellVolume,
        aggregate.TradeCount, aggregate.Vwap, version);
}
