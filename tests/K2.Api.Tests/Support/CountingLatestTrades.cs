using K2.Core;
using K2.Grains.Instruments;
using K2.Storage.History;
using K2.Storage.Trades;

namespace K2.Api.Tests.Support;

/// <summary>The instrument grains' windows, counting the pages they answered.</summary>
internal sealed class CountingLatestTrades(LatestTradeWindows windows) : ILatestTradesSource
{
    private int _answered;

    public int Answered => Volatile.Read(ref _answered);

    public IReadOnlyList<StoredTrade>? TryGetLatest(Exchange exchange, string symbol, int limit, out long version)
    {
        var page = windows.TryGetLatest(exchange, symbol, limit, out version);
        if (page is not null)
        {
            Interlocked.Increment(ref _answered);
        }

        return page;
    }

    public long? VersionOf(Exchange exchange, string symbol) => windows.VersionOf(exchange, symbol);
}
