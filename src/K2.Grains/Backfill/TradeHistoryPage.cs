using K2.Core;
using K2.Core.Trades;

namespace K2.Grains.Backfill;

/// <summary>One REST page of trades: what parsed, what was rejected, and the request that fetched it (kept in bronze).</summary>
public sealed record TradeHistoryPage(IReadOnlyList<Trade> Trades, IReadOnlyList<TradeRejection> Rejections, string Request, UnixMicros ReceivedAt);
