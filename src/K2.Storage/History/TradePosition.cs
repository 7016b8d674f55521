using K2.Core;

namespace K2.Storage.History;

/// <summary>A trade's place in serving order: exchange time, then trade id ordered by (length, text) so numeric 99 &lt; 100.</summary>
public readonly record struct TradePosition(UnixMicros ExchangeTime, string TradeId);
