namespace K2.Api.Contracts;

/// <summary>
/// One OHLCV candle: amounts as exact decimal strings (volumes at 8 decimals, quote volume and vwap at up to 16), the
/// bucket as ISO 8601 UTC, and the version that replaced any earlier one of the same bucket.
/// </summary>
public sealed record CandleResponse(
    string Exchange,
    string Symbol,
    string Timeframe,
    string BucketStart,
    string Open,
    string High,
    string Low,
    string Close,
    string Volume,
    string QuoteVolume,
    string BuyVolume,
    string SellVolume,
    long TradeCount,
    string Vwap,
    long Version);

/// <summary>A page of candles; <see cref="NextCursor"/> continues it, null when the range is exhausted.</summary>
public sealed record CandlesResponse(IReadOnlyList<CandleResponse> Candles, string? NextCursor);
