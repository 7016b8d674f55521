using K2.Core;
using K2.Storage.Trades;

namespace K2.Storage.History;

/// <summary>
/// The newest trades of an instrument from memory, exactly as a newest-first read of the store without a range or
/// position would return them at this moment, or null when it cannot be sure of that (the caller reads the store).
/// The silo keeps them beside its instrument grains; the standalone API has none.
/// </summary>
public interface ILatestTradesSource
{
    IReadOnlyList<StoredTrade>? TryGetLatest(Exchange exchange, string symbol, int limit);
}
