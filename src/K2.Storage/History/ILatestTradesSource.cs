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
    /// <summary>The newest <paramref name="limit"/> trades, with the version of what held them (see <see cref="VersionOf"/>).</summary>
    IReadOnlyList<StoredTrade>? TryGetLatest(Exchange exchange, string symbol, int limit, out long version);

    /// <summary>
    /// A number that changes whenever <see cref="TryGetLatest"/> may answer differently for the instrument, and is
    /// never reused for it; null when nothing here holds its trades.
    /// </summary>
    long? VersionOf(Exchange exchange, string symbol);
}
