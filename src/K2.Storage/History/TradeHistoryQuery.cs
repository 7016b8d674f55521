using K2.Core;

namespace K2.Storage.History;

/// <summary>
/// One page of an instrument's trades: exchange time in [<paramref name="From"/>, <paramref name="To"/>) (either bound
/// may be open), in <paramref name="Direction"/>, strictly after <paramref name="After"/> in that direction (the last
/// trade of the previous page), at most <paramref name="Limit"/> trades.
/// </summary>
public sealed record TradeHistoryQuery(
    Exchange Exchange, string Symbol, UnixMicros? From, UnixMicros? To, ReadDirection Direction, TradePosition? After, int Limit);
