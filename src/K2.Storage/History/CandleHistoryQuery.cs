using K2.Core;
using K2.Core.Candles;

namespace K2.Storage.History;

/// <summary>
/// One page of an instrument's candles of one timeframe: bucket start in [<paramref name="From"/>, <paramref name="To"/>)
/// (either bound may be open), in <paramref name="Direction"/>, strictly after the bucket <paramref name="After"/> in
/// that direction (the last candle of the previous page), at most <paramref name="Limit"/> candles.
/// </summary>
public sealed record CandleHistoryQuery(
    Exchange Exchange, string Symbol, Timeframe Timeframe, UnixMicros? From, UnixMicros? To, ReadDirection Direction, UnixMicros? After, int Limit);
