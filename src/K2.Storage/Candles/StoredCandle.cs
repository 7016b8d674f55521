using K2.Core;
using K2.Core.Candles;

namespace K2.Storage.Candles;

/// <summary>A candle as stored in <c>ohlcv</c> (its latest version); amounts in the units of <see cref="CandleAmounts"/>.</summary>
public sealed record StoredCandle(
    Exchange Exchange,
    string Symbol,
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
    long Version);
