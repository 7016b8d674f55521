using K2.Core.Candles;

namespace K2.Storage.Candles;

/// <summary>A bucket's aggregate recomputed from stored trades, and the highest version its stored candle has (0 when none).</summary>
public sealed record RecomputedBucket(CandleAggregate Aggregate, long StoredVersion);
